package com.sessionflow.session;

/**
 * One change of the sessions changelog: a session's new version, or a retraction (its key now
 * belongs to no session: it was merged into an earlier one or its start moved). Between operators
 * it goes through its own serializer ({@code functions.SessionChangeSerializer}).
 */
public final class SessionChange {

    public final String owner;
    public final long sessionId;

    /**
     * The session's group (property value, or {@code inferred} under {@code client}); null for
     * most.
     */
    public final String group;

    /** The new version; null for a retraction. */
    public final SessionRecord session;

    /** Use {@link #update} or {@link #retraction}; public for the serializer. */
    public SessionChange(String owner, long sessionId, String group, SessionRecord session) {
        this.owner = owner;
        this.sessionId = sessionId;
        this.group = group;
        this.session = session;
    }

    public static SessionChange update(SessionRecord session) {
        return new SessionChange(session.owner, session.sessionId, session.group, session);
    }

    public static SessionChange retraction(String owner, long sessionId) {
        return retraction(owner, sessionId, null);
    }

    public static SessionChange retraction(String owner, long sessionId, String group) {
        return new SessionChange(owner, sessionId, group, null);
    }

    public boolean isRetraction() {
        return session == null;
    }

    /**
     * The Kafka key: {@code <owner>/<session_id>}, plus {@code /<group>} for a session of a group.
     */
    public String key() {
        return key(owner, sessionId, group);
    }

    /**
     * {@code <owner>/<session_id>}, or {@code <owner>/<session_id>/<group>}: sessions of different
     * groups (two values of a session property, or an SDK session and an inferred one under {@code
     * client}) may start at the same millisecond, and must not overwrite each other.
     */
    public static String key(String owner, long sessionId, String group) {
        return group == null ? owner + "/" + sessionId : owner + "/" + sessionId + "/" + group;
    }

    @Override
    public String toString() {
        return isRetraction() ? "Retract{" + key() + "}" : "Update{" + key() + " " + session + "}";
    }
}
