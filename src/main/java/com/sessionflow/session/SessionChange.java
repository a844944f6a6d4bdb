package com.sessionflow.session;

/**
 * One change of the sessions changelog: a session's new version, or a retraction (its key
 * now belongs to no session: it was merged into an earlier one or its start moved).
 */
public class SessionChange {

    public String owner;
    public long sessionId;
    /** The new version; null for a retraction. */
    public Session session;

    public SessionChange() {}

    public static SessionChange update(Session session) {
        SessionChange c = new SessionChange();
        c.owner = session.owner;
        c.sessionId = session.sessionId;
        c.session = session;
        return c;
    }

    public static SessionChange retraction(String owner, long sessionId) {
        SessionChange c = new SessionChange();
        c.owner = owner;
        c.sessionId = sessionId;
        return c;
    }

    public boolean isRetraction() {
        return session == null;
    }

    /** The Kafka key: {@code <owner>/<session_id>}. */
    public String key() {
        return owner + "/" + sessionId;
    }

    @Override
    public String toString() {
        return isRetraction() ? "Retract{" + key() + "}" : "Update{" + key() + " " + session + "}";
    }
}
