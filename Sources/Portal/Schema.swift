import Store

/// The database's migrations, applied in this order and recorded in `schema_migrations`. A released
/// migration is never edited: later changes come as new migrations.
enum Schema {
    static let migrator = Migrator([
        Migration("0001-accounts-sessions-audit", sql: """
            CREATE TABLE settings (
                key TEXT PRIMARY KEY,
                value BLOB NOT NULL
            );
            CREATE TABLE clients (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                portal_enabled INTEGER NOT NULL DEFAULT 1 CHECK (portal_enabled IN (0, 1)),
                sso_only INTEGER NOT NULL DEFAULT 0 CHECK (sso_only IN (0, 1)),
                require_mfa INTEGER NOT NULL DEFAULT 0 CHECK (require_mfa IN (0, 1)),
                billing_enabled INTEGER NOT NULL DEFAULT 0 CHECK (billing_enabled IN (0, 1)),
                created_at INTEGER NOT NULL
            );
            -- A customer's sign-in identity and portal account. client_id NULL: an identity that no
            -- client links ("Client Portal Access Required").
            CREATE TABLE customer_users (
                id INTEGER PRIMARY KEY,
                client_id INTEGER REFERENCES clients(id) ON DELETE SET NULL,
                email TEXT NOT NULL UNIQUE COLLATE NOCASE,
                name TEXT NOT NULL,
                phone TEXT NOT NULL DEFAULT '',
                title TEXT,
                mobile TEXT,
                password_hash TEXT,
                status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('invited', 'active', 'disabled')),
                last_sign_in_at INTEGER,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            );
            CREATE INDEX customer_users_client ON customer_users(client_id);
            CREATE TABLE staff (
                id INTEGER PRIMARY KEY,
                email TEXT NOT NULL UNIQUE COLLATE NOCASE,
                name TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
                last_sign_in_at INTEGER,
                created_at INTEGER NOT NULL
            );
            CREATE TABLE notification_preferences (
                customer_user_id INTEGER PRIMARY KEY REFERENCES customer_users(id) ON DELETE CASCADE,
                in_app INTEGER NOT NULL DEFAULT 1,
                ticket_status_email INTEGER NOT NULL DEFAULT 1,
                ticket_reply_email INTEGER NOT NULL DEFAULT 1,
                overdue_invoice_email INTEGER NOT NULL DEFAULT 1,
                updated_at INTEGER NOT NULL
            );
            -- Only the SHA-256 of a session token is stored; the token lives in the browser's cookie.
            CREATE TABLE sessions (
                id INTEGER PRIMARY KEY,
                token_hash BLOB NOT NULL UNIQUE,
                kind TEXT NOT NULL CHECK (kind IN ('customer', 'staff')),
                customer_user_id INTEGER REFERENCES customer_users(id) ON DELETE CASCADE,
                staff_id INTEGER REFERENCES staff(id) ON DELETE CASCADE,
                stage TEXT NOT NULL DEFAULT 'active',
                created_at INTEGER NOT NULL,
                last_seen_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                authenticated_at INTEGER NOT NULL,
                ip TEXT NOT NULL DEFAULT '',
                user_agent TEXT NOT NULL DEFAULT '',
                flash TEXT,
                CHECK ((kind = 'customer') = (customer_user_id IS NOT NULL)),
                CHECK ((kind = 'staff') = (staff_id IS NOT NULL))
            );
            CREATE INDEX sessions_customer ON sessions(customer_user_id);
            CREATE INDEX sessions_staff ON sessions(staff_id);
            -- Sign-in failures per key ("account:EMAIL", "address:IP"), whether or not the account exists.
            CREATE TABLE login_throttle (
                key TEXT PRIMARY KEY,
                failures INTEGER NOT NULL,
                window_started_at INTEGER NOT NULL,
                locked_until INTEGER NOT NULL DEFAULT 0
            );
            -- Append-only: no foreign keys (an event outlives what it names), no updates, no deletes.
            CREATE TABLE audit_events (
                id INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                kind TEXT NOT NULL,
                client_id INTEGER,
                customer_user_id INTEGER,
                staff_id INTEGER,
                ip TEXT NOT NULL DEFAULT '',
                detail TEXT NOT NULL DEFAULT ''
            );
            CREATE INDEX audit_events_customer ON audit_events(customer_user_id, at);
            CREATE TRIGGER audit_events_append_only_update BEFORE UPDATE ON audit_events
            BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
            CREATE TRIGGER audit_events_append_only_delete BEFORE DELETE ON audit_events
            BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
            """),
        Migration("0002-authenticator-app-recovery-codes", sql: """
            -- The authenticator-app secret, sealed with AES-256-GCM under the key file (associated data
            -- names the account, so a sealed secret cannot be moved to another row). enabled_at NULL: a
            -- set-up waiting for its first code, valid until pending_expires_at.
            CREATE TABLE totp_credentials (
                customer_user_id INTEGER PRIMARY KEY REFERENCES customer_users(id) ON DELETE CASCADE,
                secret_sealed BLOB NOT NULL,
                enabled_at INTEGER,
                pending_expires_at INTEGER,
                last_used_step INTEGER NOT NULL DEFAULT -1
            );
            -- Only a keyed hash of each code is stored (HMAC-SHA-256 under a key from the key file).
            CREATE TABLE recovery_codes (
                id INTEGER PRIMARY KEY,
                customer_user_id INTEGER NOT NULL REFERENCES customer_users(id) ON DELETE CASCADE,
                code_hash BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                used_at INTEGER,
                UNIQUE (customer_user_id, code_hash)
            );
            """),
        Migration("0003-outbox-password-resets", sql: """
            -- Every message is recorded here before it is sent, and stays. The body is sealed with the key
            -- file's key (it may hold a reset link). status: pending (to send), held (no SMTP server is
            -- configured: staff read it in the outbox), sent, failed (refused for good by the server).
            CREATE TABLE outbox (
                id INTEGER PRIMARY KEY,
                created_at INTEGER NOT NULL,
                kind TEXT NOT NULL,
                recipient TEXT NOT NULL,
                subject TEXT NOT NULL,
                body_sealed BLOB NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pending', 'held', 'sent', 'failed')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER NOT NULL,
                last_error TEXT,
                sent_at INTEGER
            );
            CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
            -- Only the SHA-256 of a reset token is stored; the token is in the emailed link.
            CREATE TABLE password_resets (
                id INTEGER PRIMARY KEY,
                customer_user_id INTEGER NOT NULL REFERENCES customer_users(id) ON DELETE CASCADE,
                token_hash BLOB NOT NULL UNIQUE,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                used_at INTEGER
            );
            CREATE INDEX password_resets_customer ON password_resets(customer_user_id);
            """),
        Migration("0004-passkeys", sql: """
            -- The random WebAuthn user handle of an account (user.id in the options): not the row id, so
            -- an authenticator's records say nothing about the database. Made at the first registration.
            ALTER TABLE customer_users ADD COLUMN webauthn_user_handle BLOB;
            CREATE UNIQUE INDEX customer_users_webauthn_handle ON customer_users(webauthn_user_handle);
            ALTER TABLE staff ADD COLUMN webauthn_user_handle BLOB;
            CREATE UNIQUE INDEX staff_webauthn_handle ON staff(webauthn_user_handle);
            -- Registered security keys and passkeys of customers and of staff (their own second factor).
            -- public_key is the COSE_Key the authenticator attested.
            CREATE TABLE webauthn_credentials (
                id INTEGER PRIMARY KEY,
                customer_user_id INTEGER REFERENCES customer_users(id) ON DELETE CASCADE,
                staff_id INTEGER REFERENCES staff(id) ON DELETE CASCADE,
                credential_id BLOB NOT NULL UNIQUE,
                public_key BLOB NOT NULL,
                algorithm INTEGER NOT NULL,
                sign_count INTEGER NOT NULL DEFAULT 0,
                name TEXT NOT NULL,
                transports TEXT NOT NULL DEFAULT '',
                aaguid BLOB NOT NULL,
                backup_eligible INTEGER NOT NULL CHECK (backup_eligible IN (0, 1)),
                backed_up INTEGER NOT NULL CHECK (backed_up IN (0, 1)),
                created_at INTEGER NOT NULL,
                last_used_at INTEGER,
                CHECK ((customer_user_id IS NULL) <> (staff_id IS NULL))
            );
            CREATE INDEX webauthn_credentials_customer ON webauthn_credentials(customer_user_id);
            CREATE INDEX webauthn_credentials_staff ON webauthn_credentials(staff_id);
            -- A challenge is issued for one ceremony in one browser (binding: the session or pre-session
            -- the CSRF token is bound to), lives 5 minutes, and is deleted when it is answered.
            CREATE TABLE webauthn_challenges (
                id INTEGER PRIMARY KEY,
                purpose TEXT NOT NULL CHECK (purpose IN ('register', 'sign_in', 'second_factor', 'reauth')),
                binding TEXT NOT NULL,
                challenge BLOB NOT NULL,
                customer_user_id INTEGER REFERENCES customer_users(id) ON DELETE CASCADE,
                staff_id INTEGER REFERENCES staff(id) ON DELETE CASCADE,
                expires_at INTEGER NOT NULL,
                UNIQUE (purpose, binding)
            );
            """),
        Migration("0005-impersonation", sql: """
            -- A customer session opened by an administrator ("View as customer"): who, why, and the staff
            -- session it belongs to, so it ends when that one does.
            ALTER TABLE sessions ADD COLUMN impersonator_staff_id INTEGER REFERENCES staff(id) ON DELETE CASCADE;
            ALTER TABLE sessions ADD COLUMN staff_session_id INTEGER REFERENCES sessions(id) ON DELETE CASCADE;
            ALTER TABLE sessions ADD COLUMN impersonation_reason TEXT;
            CREATE INDEX sessions_staff_session ON sessions(staff_session_id);
            CREATE INDEX audit_events_at ON audit_events(at);
            """),
        Migration("0006-staff-authenticator", sql: """
            -- A staff member's authenticator app, as totp_credentials is a customer's (sealed with
            -- associated data naming the staff member).
            CREATE TABLE staff_totp_credentials (
                staff_id INTEGER PRIMARY KEY REFERENCES staff(id) ON DELETE CASCADE,
                secret_sealed BLOB NOT NULL,
                enabled_at INTEGER,
                pending_expires_at INTEGER,
                last_used_step INTEGER NOT NULL DEFAULT -1
            );
            """),
        Migration("0007-key-separation", sql: """
            -- One key per purpose, derived from the key file's key with HKDF (SecretKey, KeySeparation).
            -- Recovery-code hashes cannot be redone without the codes: the rows already there keep the old
            -- derivation (version 1) until their account regenerates; new rows are version 2.
            ALTER TABLE recovery_codes ADD COLUMN key_version INTEGER NOT NULL DEFAULT 2 CHECK (key_version IN (1, 2));
            UPDATE recovery_codes SET key_version = 1;
            -- Sealed values need the key to be re-sealed, which this SQL does not have: a database that
            -- has a key check (and so may hold sealed values) is marked, and SecretKey.open re-seals
            -- authenticator secrets, outbox bodies and the check value in one transaction.
            INSERT INTO settings (key, value)
                SELECT 'key_separation_pending', X'01' WHERE EXISTS (SELECT 1 FROM settings WHERE key = 'key_check');
            """),
        Migration("0008-pending-secrets", sql: """
            -- A secret shown once, waiting in the session that made it (SPEC §3): an authenticator secret
            -- whose set-up is not yet confirmed (purpose 'totp', a customer's or a staff member's), or a
            -- new set of recovery codes not yet dismissed with "I've Saved These" ('recovery_codes').
            -- Sealed with AES-256-GCM under the key file, associated data naming the purpose, the session
            -- and the owner; it lives 10 minutes and goes with its session (sign-out, expiry). One per
            -- owner and purpose: a new set-up or set replaces the last, in whichever session. The id is
            -- never reused (AUTOINCREMENT): a set-up page carries it, so a set-up restarted elsewhere is
            -- told apart from the one the page showed.
            CREATE TABLE pending_secrets (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                purpose TEXT NOT NULL CHECK (purpose IN ('totp', 'recovery_codes')),
                session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                customer_user_id INTEGER REFERENCES customer_users(id) ON DELETE CASCADE,
                staff_id INTEGER REFERENCES staff(id) ON DELETE CASCADE,
                secret_sealed BLOB NOT NULL,
                after_enable INTEGER NOT NULL DEFAULT 0 CHECK (after_enable IN (0, 1)),
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                CHECK ((customer_user_id IS NULL) <> (staff_id IS NULL))
            );
            CREATE UNIQUE INDEX pending_secrets_customer ON pending_secrets(purpose, customer_user_id) WHERE customer_user_id IS NOT NULL;
            CREATE UNIQUE INDEX pending_secrets_staff ON pending_secrets(purpose, staff_id) WHERE staff_id IS NOT NULL;
            CREATE INDEX pending_secrets_session ON pending_secrets(session_id);
            -- Set-ups waiting in the old tables belonged to no session: they end here (the person selects
            -- Enable again), and the tables hold only authenticators that are on.
            DELETE FROM totp_credentials WHERE enabled_at IS NULL;
            DELETE FROM staff_totp_credentials WHERE enabled_at IS NULL;
            ALTER TABLE totp_credentials DROP COLUMN pending_expires_at;
            ALTER TABLE staff_totp_credentials DROP COLUMN pending_expires_at;
            """),
        Migration("0009-outbox-links", sql: """
            -- The outbox message that carries a reset or invitation link, and the staff member who last
            -- opened that link in the outbox ("Show link", audited), so a reset made with it says so.
            -- Links made before this migration have no message: the outbox offers none of them.
            ALTER TABLE password_resets ADD COLUMN outbox_id INTEGER REFERENCES outbox(id);
            ALTER TABLE password_resets ADD COLUMN shown_to_staff_id INTEGER REFERENCES staff(id);
            CREATE INDEX password_resets_outbox ON password_resets(outbox_id);
            """),
        Migration("0010-session-method", sql: """
            -- How a session's first factor was proven (password, passkey, an administrator's view), so a
            -- client's later policy (SSO-only) can end the sessions it no longer allows.
            ALTER TABLE sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'password';
            """),
        Migration("0011-identity-providers", sql: """
            -- A client's identity provider (at most one), or the MSP's own for staff (client_id NULL,
            -- for_staff 1, at most one). The client secret is sealed (AES-256-GCM, purpose
            -- identity-provider-secrets, bound to the row's id, issuer and client ID).
            CREATE TABLE identity_providers (
                id INTEGER PRIMARY KEY,
                client_id INTEGER UNIQUE REFERENCES clients(id) ON DELETE CASCADE,
                for_staff INTEGER NOT NULL DEFAULT 0 CHECK (for_staff IN (0, 1)),
                issuer TEXT NOT NULL,
                oauth_client_id TEXT NOT NULL,
                client_secret_sealed BLOB NOT NULL,
                display_name TEXT NOT NULL,
                tenant_id TEXT,
                trust_email INTEGER NOT NULL DEFAULT 0 CHECK (trust_email IN (0, 1)),
                trust_idp_mfa INTEGER NOT NULL DEFAULT 0 CHECK (trust_idp_mfa IN (0, 1)),
                create_users INTEGER NOT NULL DEFAULT 0 CHECK (create_users IN (0, 1)),
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                CHECK ((for_staff = 1) = (client_id IS NULL))
            );
            CREATE UNIQUE INDEX identity_providers_one_for_staff ON identity_providers(for_staff) WHERE for_staff = 1;
            -- A domain belongs to one provider, so to one client (or to the MSP's staff sign-in).
            CREATE TABLE identity_provider_domains (
                domain TEXT PRIMARY KEY,
                provider_id INTEGER NOT NULL REFERENCES identity_providers(id) ON DELETE CASCADE
            );
            CREATE INDEX identity_provider_domains_provider ON identity_provider_domains(provider_id);
            """),
        Migration("0012-sso-sign-in", sql: """
            -- An authorization request under way: the state as a hash (the URL carries it), the browser
            -- that started it (the hash of its SameSite=Lax cookie), nonce and PKCE verifier sealed
            -- (purpose single-sign-on, bound to the state and provider). Ten minutes, deleted at first use;
            -- at most a few open per client address (the oldest give way), so starts cannot fill the disk.
            CREATE TABLE sso_attempts (
                id INTEGER PRIMARY KEY,
                state_hash BLOB NOT NULL UNIQUE,
                browser_hash BLOB NOT NULL,
                ip TEXT NOT NULL,
                provider_id INTEGER NOT NULL REFERENCES identity_providers(id) ON DELETE CASCADE,
                secrets_sealed BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL
            );
            CREATE INDEX sso_attempts_expiry ON sso_attempts(expires_at);
            CREATE INDEX sso_attempts_ip ON sso_attempts(ip, id);
            -- A provider's identity, (issuer, sub), linked once to one account; later sign-ins find the
            -- account by it alone, whatever the token's email says then. Entra's tid and oid kept beside.
            CREATE TABLE sso_identities (
                id INTEGER PRIMARY KEY,
                issuer TEXT NOT NULL,
                subject TEXT NOT NULL,
                tenant_id TEXT,
                object_id TEXT,
                provider_id INTEGER REFERENCES identity_providers(id) ON DELETE SET NULL,
                customer_user_id INTEGER UNIQUE REFERENCES customer_users(id) ON DELETE CASCADE,
                staff_id INTEGER UNIQUE REFERENCES staff(id) ON DELETE CASCADE,
                linked_email TEXT NOT NULL,
                linked_at INTEGER NOT NULL,
                last_sign_in_at INTEGER,
                UNIQUE (issuer, subject),
                CHECK ((customer_user_id IS NULL) <> (staff_id IS NULL))
            );
            -- A session begun at a provider: its name (the Security tab says who signs the person in) and,
            -- sealed, the URL that continues sign-out there (it carries the ID token as id_token_hint).
            CREATE TABLE sso_sessions (
                session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
                provider_id INTEGER REFERENCES identity_providers(id) ON DELETE SET NULL,
                display_name TEXT NOT NULL,
                sign_out_sealed BLOB
            );
            """),
        Migration("0013-audit-user-agent", sql: """
            -- The browser an event came from (its User-Agent, at most 512 characters, as sessions keep it),
            -- so Recent activity can say "Chrome on Windows · 203.0.113.7". Earlier events have ''.
            ALTER TABLE audit_events ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
            """),
        Migration("0014-password-changed-at", sql: """
            -- When the password was last set (changed, reset, or chosen from an invitation), for the
            -- Security tab's "Last changed". Earlier accounts take their last such event, or their creation
            -- when a password was given with the account.
            ALTER TABLE customer_users ADD COLUMN password_changed_at INTEGER;
            UPDATE customer_users SET password_changed_at = coalesce(
                (SELECT max(at) FROM audit_events e WHERE e.customer_user_id = customer_users.id
                   AND e.kind IN ('password_changed', 'password_reset')),
                CASE WHEN password_hash IS NOT NULL THEN created_at END);
            """),
        Migration("0015-view-consent", sql: """
            -- "Customers approve administrator views" (issue 20): off by default. When on, an
            -- administrator's "View as customer" asks the customer first, unless they granted access ahead.
            ALTER TABLE clients ADD COLUMN view_consent INTEGER NOT NULL DEFAULT 0 CHECK (view_consent IN (0, 1));
            -- A request to view an account (kind 'request': the staff member who asked, and why) or access the
            -- customer granted ahead of time (kind 'grant': any staff member, until expires_at). expires_at is,
            -- for a request waiting: the time it expires unanswered; for an allowed request: the end of the
            -- window in which its administrator may open the view (once: opened_at); for a grant: its end.
            CREATE TABLE view_consents (
                id INTEGER PRIMARY KEY,
                customer_user_id INTEGER NOT NULL REFERENCES customer_users(id) ON DELETE CASCADE,
                kind TEXT NOT NULL CHECK (kind IN ('request', 'grant')),
                staff_id INTEGER REFERENCES staff(id) ON DELETE CASCADE,
                reason TEXT NOT NULL DEFAULT '',
                state TEXT NOT NULL CHECK (state IN ('requested', 'allowed', 'declined', 'expired', 'revoked')),
                created_at INTEGER NOT NULL,
                decided_at INTEGER,
                expires_at INTEGER NOT NULL,
                opened_at INTEGER,
                CHECK ((kind = 'request') = (staff_id IS NOT NULL))
            );
            CREATE INDEX view_consents_customer ON view_consents(customer_user_id, state);
            -- The request or grant an administrator's view was opened under: the view lasts only while it does.
            ALTER TABLE sessions ADD COLUMN view_consent_id INTEGER REFERENCES view_consents(id) ON DELETE SET NULL;
            """),
        Migration("0016-caller-verification", sql: """
            -- Whether staff must verify a caller (a code mailed to the account) before Unlock, Reset
            -- two-factor authentication and Send the invitation again. Clients that exist keep today's
            -- behaviour (0); clients created from now on get 1 (Portal.addClient).
            ALTER TABLE clients ADD COLUMN verify_callers INTEGER NOT NULL DEFAULT 0 CHECK (verify_callers IN (0, 1));
            -- "Verify the caller": a one-time 6-digit code mailed to the account's email, kept only as an
            -- HMAC-SHA-256 under its own key (SecretKey.Purpose.callerVerification). A code is good for
            -- 10 minutes and 5 wrong tries (attempts); a match (verified_at) enables the resets for that
            -- staff member and that user for 10 minutes. ended_at: superseded by a newer code, or voided
            -- by too many wrong ones or by expiring. used_at: when a reset first relied on it.
            CREATE TABLE caller_verifications (
                id INTEGER PRIMARY KEY,
                customer_user_id INTEGER NOT NULL REFERENCES customer_users(id) ON DELETE CASCADE,
                staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
                code_hash BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                verified_at INTEGER,
                used_at INTEGER,
                ended_at INTEGER
            );
            CREATE INDEX caller_verifications_pair ON caller_verifications(customer_user_id, staff_id, id);
            """),
    ])
}
