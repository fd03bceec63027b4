package forum

import "rsc.io/qr"

// CheckInQR is the PNG image of the QR code that the reception desk scans
// to check a registrant in: it holds the registration's check-in address
// (CheckInURL), which a signed-in organiser's phone opens.
func CheckInQR(baseURL, forumID, checkInToken string) ([]byte, error) {
	code, err := qr.Encode(CheckInURL(baseURL, forumID, checkInToken), qr.M)
	if err != nil {
		return nil, err
	}
	code.Scale = 6
	return code.PNG(), nil
}
