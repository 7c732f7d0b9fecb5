package identity

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"gongshu/internal/apperr"
	"gongshu/internal/audit"
)

// Session is a logged-in browser or API session. The token is returned once;
// only its hash is stored.
type Session struct {
	Token     string
	UserID    string
	ExpiresAt time.Time
}

// Login checks a username and password and opens a session. Failures are
// audited and throttled per username and per client address; the answer for
// an unknown user and a wrong password is the same.
func (s *Service) Login(ctx context.Context, username, password, clientIP, userAgent string) (*Session, error) {
	username = strings.TrimSpace(username)
	now := s.now()
	since := now.Add(-throttleWindow)
	var byUser, byIP int
	if err := s.DB.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM login_failures WHERE username = $1 AND at > $3),
		(SELECT count(*) FROM login_failures WHERE client_ip = $2 AND at > $3)`, username, clientIP, since).Scan(&byUser, &byIP); err != nil {
		return nil, err
	}
	who := audit.Who{ID: "anonymous", Name: username, ClientIP: clientIP}
	if byUser >= maxUserFailures || byIP >= maxIPFailures {
		_ = s.Audit.Record(ctx, who, audit.Entry{Action: "login.throttled", ObjectType: "user", ObjectID: username})
		return nil, apperr.New(apperr.Throttled, "登录失败次数过多，请15分钟后再试", "too many failed logins; try again in 15 minutes")
	}
	var userID, hash, status string
	err := s.DB.QueryRowContext(ctx, `SELECT id, password_hash, status FROM users WHERE username = $1`, username).Scan(&userID, &hash, &status)
	if errors.Is(err, sql.ErrNoRows) {
		CheckPassword(dummyHash(), password)
	} else if err != nil {
		return nil, err
	}
	if userID == "" || !CheckPassword(hash, password) || status != "active" {
		err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (id, username, client_ip, at) VALUES ($1,$2,$3,$4)`,
				NewID(), username, clientIP, now); err != nil {
				return err
			}
			_, err := s.Audit.Append(ctx, tx, who, audit.Entry{Action: "login.failed", ObjectType: "user", ObjectID: username})
			return err
		})
		if err != nil {
			return nil, err
		}
		return nil, apperr.New(apperr.Unauthorized, "用户名或密码错误", "wrong username or password")
	}
	sess := &Session{Token: NewToken(32), UserID: userID, ExpiresAt: now.Add(SessionTTL)}
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	err = s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, created_at, expires_at, client_ip, user_agent) VALUES ($1,$2,$3,$4,$5,$6)`,
			tokenHash(sess.Token), userID, now, sess.ExpiresAt, clientIP, userAgent); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE username = $1`, username); err != nil {
			return err
		}
		_, err := s.Audit.Append(ctx, tx, audit.Who{ID: userID, Name: username, ClientIP: clientIP},
			audit.Entry{Action: "login", ObjectType: "user", ObjectID: userID})
		return err
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// Authenticate returns the actor of a live session token.
func (s *Service) Authenticate(ctx context.Context, token, clientIP string) (*Actor, error) {
	if token == "" {
		return nil, apperr.New(apperr.Unauthorized, "请先登录", "please log in")
	}
	var userID string
	var expires time.Time
	err := s.DB.QueryRowContext(ctx, `SELECT user_id, expires_at FROM sessions WHERE id_hash = $1`, tokenHash(token)).Scan(&userID, &expires)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !s.now().Before(expires)) {
		return nil, apperr.New(apperr.Unauthorized, "登录已过期，请重新登录", "session expired; please log in again")
	}
	if err != nil {
		return nil, err
	}
	return s.loadActor(ctx, userID, clientIP)
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, token string) error {
	a := ActorFrom(ctx)
	return s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, tokenHash(token)); err != nil {
			return err
		}
		_, err := s.Audit.Append(ctx, tx, a.Who(), audit.Entry{Action: "logout", ObjectType: "user", ObjectID: a.Who().ID})
		return err
	})
}

// PurgeExpired deletes expired sessions and old login failures.
func (s *Service) PurgeExpired(ctx context.Context) error {
	now := s.now()
	if _, err := s.DB.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, now); err != nil {
		return err
	}
	_, err := s.DB.ExecContext(ctx, `DELETE FROM login_failures WHERE at <= $1`, now.Add(-throttleWindow))
	return err
}

// APIClient is a machine credential acting as a user. The secret is shown
// once at creation; only its hash is stored.
type APIClient struct {
	ID        string    `json:"id"`
	Key       string    `json:"key"`
	Secret    string    `json:"secret,omitempty"`
	Name      string    `json:"name"`
	UserID    string    `json:"user_id"`
	CreatedAt time.Time `json:"created_at"`
}

// CreateAPIClient issues a key and secret acting as the calling user (or as
// userID from the CLI, when ctx has no actor).
func (s *Service) CreateAPIClient(ctx context.Context, userID, name string) (*APIClient, error) {
	a := ActorFrom(ctx)
	if a != nil {
		userID = a.UserID
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return nil, apperr.New(apperr.Invalid, "请填写客户端名称（不超过100字）", "enter a client name (at most 100 characters)").WithField("name")
	}
	c := &APIClient{ID: NewID(), Key: "gsk_" + NewToken(8), Secret: NewToken(24), Name: name, UserID: userID, CreatedAt: s.now()}
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO api_clients (id, key, secret_hash, name, user_id, created_at) VALUES ($1,$2,$3,$4,$5,$6)`,
			c.ID, c.Key, tokenHash(c.Secret), c.Name, c.UserID, c.CreatedAt); err != nil {
			return err
		}
		_, err := s.Audit.Append(ctx, tx, a.Who(), audit.Entry{Action: "permission.api_client", ObjectType: "user", ObjectID: userID,
			Payload: map[string]any{"key": c.Key, "name": c.Name}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// AuthenticateAPIClient checks "key.secret" and returns the actor it acts as.
func (s *Service) AuthenticateAPIClient(ctx context.Context, credential, clientIP string) (*Actor, error) {
	key, secret, ok := strings.Cut(credential, ".")
	bad := apperr.New(apperr.Unauthorized, "API 密钥无效", "invalid API credential")
	if !ok || key == "" || secret == "" {
		return nil, bad
	}
	var userID, hash string
	var revoked sql.NullTime
	err := s.DB.QueryRowContext(ctx, `SELECT user_id, secret_hash, revoked_at FROM api_clients WHERE key = $1`, key).Scan(&userID, &hash, &revoked)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (revoked.Valid || hash != tokenHash(secret))) {
		return nil, bad
	}
	if err != nil {
		return nil, err
	}
	a, err := s.loadActor(ctx, userID, clientIP)
	if err != nil {
		return nil, err
	}
	a.APIClient = key
	return a, nil
}

// ActorFor builds the actor of a user without a session: for the CLI, the
// demo and background work done on a user's behalf.
func (s *Service) ActorFor(ctx context.Context, userID string) (*Actor, error) {
	return s.loadActor(ctx, userID, "")
}
