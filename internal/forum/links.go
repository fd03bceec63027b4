package forum

import "net/url"

// ForumURL is the public page of a forum.
func ForumURL(baseURL, forumID string) string { return baseURL + "/forums/" + forumID }

// ManageURL is a registrant's personal link to view, change or cancel
// their registration.
func ManageURL(baseURL, registrationID, token string) string {
	return baseURL + "/registrations/" + registrationID + "?token=" + url.QueryEscape(token)
}

// CheckInURL is what the QR code of a registration holds: the reception
// desk's check-in page for that code (organisers only).
func CheckInURL(baseURL, forumID, checkInToken string) string {
	return baseURL + "/forums/" + forumID + "/check-in?code=" + url.QueryEscape(checkInToken)
}

// InvitationURL is the registration form of an invitation-only forum with
// a personal invitation.
func InvitationURL(baseURL, forumID, token string) string {
	return baseURL + "/forums/" + forumID + "?invitation=" + url.QueryEscape(token)
}
