package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
)

// Role is what an API key may do; each role includes the ones below it.
type Role int

// Roles, weakest first.
const (
	RoleRead Role = iota + 1
	RoleWrite
	RoleAdmin
)

func (r Role) String() string {
	switch r {
	case RoleRead:
		return "read"
	case RoleWrite:
		return "write"
	case RoleAdmin:
		return "admin"
	}
	return "none"
}

// Keys are the API keys of CHURN_API_KEYS. Only their SHA-256 digests are
// kept, compared in constant time.
type Keys struct {
	digests [][32]byte
	roles   []Role
	entries []int // the position of each key in CHURN_API_KEYS, for errors
}

// ParseKeys reads "role:key,role:key,..." with roles read, write and admin.
// It returns an error naming the bad entry (never the key itself).
func ParseKeys(s string) (*Keys, error) {
	k := &Keys{}
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		role, key, ok := strings.Cut(entry, ":")
		if !ok || len(key) < 16 {
			return nil, fmt.Errorf("CHURN_API_KEYS entry %d: role:key expected, with a key of at least 16 characters", i+1)
		}
		var r Role
		switch strings.ToLower(strings.TrimSpace(role)) {
		case "read":
			r = RoleRead
		case "write":
			r = RoleWrite
		case "admin":
			r = RoleAdmin
		default:
			return nil, fmt.Errorf("CHURN_API_KEYS entry %d: role %q is not read, write or admin", i+1, role)
		}
		d := sha256.Sum256([]byte(key))
		if j := slices.Index(k.digests, d); j >= 0 {
			return nil, fmt.Errorf("CHURN_API_KEYS entry %d: the same key as entry %d (a key must be listed once, with one role)", i+1, k.entries[j])
		}
		k.digests = append(k.digests, d)
		k.roles = append(k.roles, r)
		k.entries = append(k.entries, i+1)
	}
	if len(k.roles) == 0 {
		return nil, fmt.Errorf("CHURN_API_KEYS holds no key")
	}
	return k, nil
}

// role returns the role of a presented key and its position in the list
// (what the rate limits count by), role 0 when it is none of them. Every
// key is compared, so the time taken does not tell which matched.
func (k *Keys) role(presented string) (Role, int) {
	d := sha256.Sum256([]byte(presented))
	var got Role
	at := -1
	for i := range k.digests {
		if subtle.ConstantTimeCompare(d[:], k.digests[i][:]) == 1 {
			got, at = k.roles[i], i
		}
	}
	return got, at
}

// require lets a request through when its bearer key has at least role
// need: 401 without a valid key, 403 with a weaker one. With no keys
// configured every request passes (the server then listens on loopback only).
func (s *Server) require(need Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.keys == nil {
			c.Next()
			return
		}
		token, ok := bearer(c.GetHeader("Authorization"))
		have, at := Role(0), -1
		if ok {
			have, at = s.keys.role(strings.TrimSpace(token))
		}
		if have == 0 {
			c.Header("WWW-Authenticate", `Bearer realm="churn"`)
			writeProblem(c, newProblem(http.StatusUnauthorized, "a valid API key is needed: Authorization: Bearer <key>").p)
			return
		}
		if have < need {
			writeProblem(c, newProblem(http.StatusForbidden, fmt.Sprintf("this route needs the %s role; the key has %s", need, have)).p)
			return
		}
		c.Set(roleKey, have)
		c.Set(keyIndexKey, at)
		c.Next()
	}
}

// bearer returns the credentials of an Authorization header of the Bearer
// scheme, whose name is case-insensitive (RFC 9110, section 11.1).
func bearer(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return token, true
}

// roleKey is where require leaves the role of the request's key, and
// keyIndexKey its position in CHURN_API_KEYS.
const (
	roleKey     = "role"
	keyIndexKey = "key_index"
)

// whoamiResponse is the body of GET /v1/whoami.
type whoamiResponse struct {
	Role           string `json:"role"`
	Authentication bool   `json:"authentication"`
}

// whoami answers GET /v1/whoami: the role of the request's key, or admin
// when the server runs without authentication.
func (s *Server) whoami(c *gin.Context) {
	if s.keys == nil {
		c.JSON(http.StatusOK, whoamiResponse{Role: RoleAdmin.String(), Authentication: false})
		return
	}
	role, _ := c.Get(roleKey)
	r, _ := role.(Role)
	c.JSON(http.StatusOK, whoamiResponse{Role: r.String(), Authentication: true})
}
