// Package forum is the bimonthly forum: the series that schedules forums,
// each forum with its rules, personal invitations, registrations with the
// waiting list, the reception desk (check-in, walk-ins, attendance list,
// catering), the themes participants propose and vote for, the agenda, the
// calendar file (.ics), and the personal-data duties (export, erasure,
// merge, retention purge) for registrations.
//
// # Calling conventions
//
// Reads and simple writes are package functions taking a store.Querier
// (a *store.DB or the caller's *sql.Tx). Operations that lock a forum,
// allocate seats or queue mail are methods of *Service taking the caller's
// *sql.Tx, so that the web layer can record its audit entry in the same
// transaction: the change, its mails and its audit entry commit together or
// not at all. Bad input is reported as valid.Errors (field → translation
// key); refusals are the sentinel errors of errors.go (ErrorKey gives their
// translation key); a missing row is store.ErrNotFound.
//
// # Seats
//
// Every operation that counts seats and changes them (registration,
// cancellation, promotion, walk-in, capacity change, status change) first
// locks the forum's row: SELECT ... FROM forums WHERE id = $1 FOR UPDATE on
// PostgreSQL, and on SQLite the writer lock that its immediate transactions
// take at BEGIN. The lock is held by the database, not by the process, so
// several ogforum processes sharing one PostgreSQL never overbook.
//
// The allocation rule, with capacity C and a civil-society share of s
// percent, reserves R = ⌈C × s / 100⌉ seats for registrants of the
// civil_society college; the other C − R seats are open to everyone. A
// registration takes a seat when, counting every confirmed registration of
// the forum (walk-ins and hand promotions included):
//
//   - fewer than C seats are taken, and
//   - the registrant is of the civil_society college, or fewer than C − R
//     seats are taken by people of other colleges.
//
// So civil society can fill the whole room, other colleges at most C − R
// seats of it. With max_per_organisation M > 0, an organisation (compared
// by its name, case and accents ignored; an empty name is no organisation)
// holds at most M active registrations, confirmed or waiting: the next one
// is refused at the organisation field. A registration that finds no seat
// joins the waiting list at its end.
//
// Whenever a seat may have freed (a cancellation, a removal, a capacity or
// share increase, a raised cap, a status change to open or closed), the
// waiting list is walked in order and each person for whom the rule above
// finds a seat (and whose organisation has fewer than M confirmed seats) is
// promoted and mailed, in the same transaction. People skipped because
// their college or organisation has no seat keep their place. Promotions
// happen while the forum is open or closed (registration over but the forum
// still to come), never once it is held or cancelled.
//
// Walk-ins (registered at the door) and promotions forced by an organiser
// bypass the rule but are counted by it.
package forum
