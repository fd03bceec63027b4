package web

var forumViews = []string{
	"forums", "forum", "forum_form", "forum_registrations", "forum_agenda", "forum_invitations",
	"forum_actions",
	"series_list", "series_form",
	"registration",
	"checkin", "checkin_code",
}

// forumRoutes: forums and their registration are public; series, forum
// settings, registrations, the agenda and the reception desk are for
// organisers. A registrant's own page is reached with the secret of their
// personal link.
func (s *Server) forumRoutes() []route {
	return []route{
		// Public pages, calendars and feed.
		{pattern: "GET /forums", access: anyone, handler: s.forumList, cache: true},
		{pattern: "GET /forums/calendar.ics", access: anyone, handler: s.forumsCalendar, cache: true},
		{pattern: "GET /forums/feed.atom", access: anyone, handler: s.forumsFeed, cache: true},
		{pattern: "GET /forums/{id}", access: anyone, handler: s.forumPage, cache: true},
		{pattern: "GET /forums/{id}/calendar.ics", access: anyone, handler: s.forumCalendar, cache: true},
		{pattern: "GET /series/{id}/calendar.ics", access: anyone, handler: s.seriesCalendar, cache: true},
		{pattern: "POST /forums/{id}/register", access: anyone, handler: s.forumRegister, limit: "registration"},
		{pattern: "GET /registrations/{id}", access: anyone, handler: s.registrationPage},
		{pattern: "POST /registrations/{id}", access: anyone, handler: s.registrationChange, limit: "registration"},
		{pattern: "POST /registrations/{id}/cancel", access: anyone, handler: s.registrationCancel, limit: "registration"},
		{pattern: "POST /forums/{id}/themes", access: anyone, handler: s.themePropose, limit: "registration"},
		{pattern: "POST /themes/{id}/vote", access: anyone, handler: s.themeVote, limit: "registration"},

		// Organisers: series and forums.
		{pattern: "GET /series", access: organisers, handler: s.seriesList},
		{pattern: "GET /series/new", access: organisers, handler: s.seriesNew},
		{pattern: "POST /series", access: organisers, handler: s.seriesCreate},
		{pattern: "GET /series/{id}/edit", access: organisers, handler: s.seriesEdit},
		{pattern: "POST /series/{id}/edit", access: organisers, handler: s.seriesUpdate},
		{pattern: "POST /series/{id}/forums", access: organisers, handler: s.seriesForumCreate},
		{pattern: "GET /forums/new", access: organisers, handler: s.forumNew},
		{pattern: "POST /forums", access: organisers, handler: s.forumCreate},
		{pattern: "GET /forums/{id}/edit", access: organisers, handler: s.forumEdit},
		{pattern: "POST /forums/{id}/edit", access: organisers, handler: s.forumUpdate},
		{pattern: "POST /forums/{id}/status", access: organisers, handler: s.forumStatus},

		// Organisers: registrations, invitations, agenda.
		{pattern: "GET /forums/{id}/registrations", access: organisers, handler: s.forumRegistrations},
		{pattern: "POST /registrations/{id}/promote", access: organisers, handler: s.registrationPromote},
		{pattern: "POST /registrations/{id}/move", access: organisers, handler: s.registrationMove},
		{pattern: "POST /registrations/{id}/remove", access: organisers, handler: s.registrationRemove},
		{pattern: "GET /forums/{id}/invitations", access: organisers, handler: s.forumInvitations},
		{pattern: "POST /forums/{id}/invitations", access: organisers, handler: s.invitationCreate},
		{pattern: "POST /forums/{id}/invitations/send", access: organisers, handler: s.invitationSend},
		{pattern: "POST /forums/{id}/invitations/remind", access: organisers, handler: s.invitationRemind},
		{pattern: "GET /forums/{id}/agenda.pdf", access: organisers, handler: s.agendaDownload},
		{pattern: "GET /forums/{id}/agenda", access: organisers, handler: s.agendaPage},
		{pattern: "POST /forums/{id}/agenda/themes", access: organisers, handler: s.agendaThemes},
		{pattern: "POST /forums/{id}/agenda/items", access: organisers, handler: s.agendaItemAdd},
		{pattern: "POST /forums/{id}/agenda/publish", access: organisers, handler: s.agendaPublish},
		{pattern: "POST /agenda-items/{id}/edit", access: organisers, handler: s.agendaItemEdit},
		{pattern: "POST /agenda-items/{id}/move", access: organisers, handler: s.agendaItemMove},
		{pattern: "POST /agenda-items/{id}/delete", access: organisers, handler: s.agendaItemDelete},
		{pattern: "POST /forums/{id}/agenda/pull", access: organisers, handler: s.agendaPull},

		// Organisers: action items decided at a forum.
		{pattern: "GET /forums/{id}/actions", access: organisers, handler: s.actionsPage},
		{pattern: "POST /forums/{id}/actions", access: organisers, handler: s.actionAdd},
		{pattern: "POST /action-items/{id}/edit", access: organisers, handler: s.actionEdit},
		{pattern: "POST /action-items/{id}/status", access: organisers, handler: s.actionStatus},
		{pattern: "POST /action-items/{id}/delete", access: organisers, handler: s.actionDelete},

		// Reception desk.
		{pattern: "GET /forums/{id}/attendance.pdf", access: organisers, handler: s.attendanceDownload("pdf")},
		{pattern: "GET /forums/{id}/attendance.csv", access: organisers, handler: s.attendanceDownload("csv")},
		{pattern: "GET /forums/{id}/attendance.xlsx", access: organisers, handler: s.attendanceDownload("xlsx")},
		{pattern: "GET /forums/{id}/checkin", access: organisers, handler: s.checkInPage},
		{pattern: "POST /forums/{id}/checkin/{rid}", access: organisers, handler: s.checkInTap(false)},
		{pattern: "POST /forums/{id}/checkin/{rid}/undo", access: organisers, handler: s.checkInTap(true)},
		{pattern: "POST /forums/{id}/walk-ins", access: organisers, handler: s.walkIn},
		{pattern: "GET /forums/{id}/check-in", access: organisers, handler: s.checkInCodeForm},
		{pattern: "POST /forums/{id}/check-in", access: organisers, handler: s.checkInCode},

		// API.
		{pattern: "GET /api/v1/series", access: anyone, handler: s.apiSeriesList},
		{pattern: "POST /api/v1/series", access: organisers, handler: s.apiSeriesCreate},
		{pattern: "GET /api/v1/forums", access: anyone, handler: s.apiForums},
		{pattern: "POST /api/v1/forums", access: organisers, handler: s.apiForumCreate},
		{pattern: "GET /api/v1/forums/{id}", access: anyone, handler: s.apiForum},
		{pattern: "PATCH /api/v1/forums/{id}", access: organisers, handler: s.apiForumPatch},
		{pattern: "POST /api/v1/forums/{id}/open", access: organisers, handler: s.apiForumStatus("open")},
		{pattern: "POST /api/v1/forums/{id}/close", access: organisers, handler: s.apiForumStatus("closed")},
		{pattern: "POST /api/v1/forums/{id}/cancel", access: organisers, handler: s.apiForumStatus("cancelled")},
		{pattern: "POST /api/v1/forums/{id}/registrations", access: anyone, handler: s.apiRegister, limit: "registration"},
		{pattern: "GET /api/v1/forums/{id}/registrations", access: organisers, handler: s.apiRegistrations},
		{pattern: "GET /api/v1/forums/{id}/invitations", access: organisers, handler: s.apiInvitations},
		{pattern: "POST /api/v1/forums/{id}/invitations", access: organisers, handler: s.apiInvitationSend},
		{pattern: "POST /api/v1/forums/{id}/invitations/remind", access: organisers, handler: s.apiInvitationRemind},
		{pattern: "DELETE /api/v1/registrations/{id}", access: anyone, handler: s.apiRegistrationCancel, limit: "registration"},
		{pattern: "POST /api/v1/registrations/{id}/check-in", access: organisers, handler: s.apiCheckIn},
		{pattern: "GET /api/v1/forums/{id}/themes", access: anyone, handler: s.apiThemes},
		{pattern: "POST /api/v1/forums/{id}/themes", access: anyone, handler: s.apiThemePropose, limit: "registration"},
		{pattern: "POST /api/v1/themes/{id}/votes", access: anyone, handler: s.apiThemeVote, limit: "registration"},
		{pattern: "GET /api/v1/forums/{id}/action-items", access: anyone, handler: s.apiActionItems, cache: true},
		{pattern: "POST /api/v1/forums/{id}/action-items", access: organisers, handler: s.apiActionItemCreate},
		{pattern: "PATCH /api/v1/action-items/{id}", access: organisers, handler: s.apiActionItemPatch},
		{pattern: "DELETE /api/v1/action-items/{id}", access: organisers, handler: s.apiActionItemDelete},
		{pattern: "POST /api/v1/forums/{id}/agenda/pull", access: organisers, handler: s.apiAgendaPull},
	}
}
