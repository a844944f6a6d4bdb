package com.sessionflow.inspect;

import com.sessionflow.event.Event;
import com.sessionflow.event.ParsedRecord;
import com.sessionflow.session.DeviceLinks;
import com.sessionflow.session.IdentityMerge;
import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.Session;
import com.sessionflow.session.SessionRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whose each event is under merged identity (the default), decided with the job's rules ({@link
 * IdentityMerge}, {@link DeviceLinks}) over the whole input: the inspected person's devices are
 * found in a first read ({@link #findDevices}), their logins and their anonymous events in a second
 * ({@link #learn}); then {@link #personOf} gives an event's person as the job's linker does once
 * every login has arrived. A device's visit before its first login is the user's when that login
 * claims it (it ends at most the allowed lateness before the login), else the device's.
 */
final class MergedPersons {

    private final String person;
    private final OwnerTimeline timeline;
    private final IdentityMerge merge;
    private final Set<String> devices = new HashSet<>();
    private final Map<String, DeviceLinks> links = new HashMap<>();
    private final Map<String, List<Event>> anonymous = new HashMap<>();
    private final Map<String, List<SessionRecord>> visits = new HashMap<>();

    MergedPersons(String person, OwnerTimeline timeline) {
        this.person = person;
        this.timeline = timeline;
        this.merge = new IdentityMerge(timeline);
    }

    /** First read: the devices the person used (or the person itself, a device). */
    void findDevices(ParsedRecord r) {
        if (!r.isEvent() || r.event.deviceId == null) return;
        Event e = r.event;
        if (person.equals(e.userId) || person.equals(e.deviceId)) devices.add(e.deviceId);
    }

    /** Second read: the logins on those devices and their anonymous events. */
    void learn(ParsedRecord r) {
        if (!r.isEvent() || !devices.contains(r.event.deviceId)) return;
        Event e = r.event;
        if (IdentityMerge.isAnonymous(e)) {
            anonymous.computeIfAbsent(e.deviceId, d -> new ArrayList<>()).add(e);
        } else {
            links.computeIfAbsent(e.deviceId, d -> new DeviceLinks()).link(e.time, e.userId);
        }
    }

    /** The person an event belongs to. */
    String personOf(Event e) {
        if (!IdentityMerge.isAnonymous(e) || !devices.contains(e.deviceId)) return e.owner;
        DeviceLinks l = links.get(e.deviceId);
        if (l == null) return e.deviceId;
        if (!IdentityMerge.isDevicesOwn(e, l)) return l.ownerAt(e.time);
        for (SessionRecord v : visits.computeIfAbsent(e.deviceId, this::visitsBeforeLogin)) {
            if (e.time >= v.startTime && e.time <= v.endTime) return v.owner;
        }
        return e.deviceId;
    }

    /**
     * The device's own sessions before its first login, each owned by whom the login leaves it to.
     */
    private List<SessionRecord> visitsBeforeLogin(String device) {
        DeviceLinks l = links.get(device);
        List<Event> own = new ArrayList<>();
        for (Event e : anonymous.getOrDefault(device, List.of())) {
            if (IdentityMerge.isDevicesOwn(e, l) && !timeline.definition().isOutOfSession(e)) {
                own.add(e);
            }
        }
        own.sort(Comparator.comparingLong(e -> e.time));
        List<Session> sessions = new ArrayList<>();
        for (Event e : own) timeline.place(sessions, e);
        List<SessionRecord> owned = new ArrayList<>();
        for (Session s : sessions) {
            if (merge.claims(s, l, IdentityMerge.NOT_CLAIMED))
                s.moveTo(IdentityMerge.claimant(s, l));
            owned.add(s.toRecord());
        }
        return owned;
    }
}
