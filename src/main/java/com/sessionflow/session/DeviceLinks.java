package com.sessionflow.session;

import java.util.Arrays;

/**
 * Amplitude's identity rules for one device ({@code --identity merged}, "How Amplitude assigns
 * Amplitude IDs"): an anonymous event (a device_id, no user_id) belongs to the last user seen on
 * the device at or before it (a logged-out user's later events stay theirs; after a second user
 * logs in, the second one's), and an anonymous event before any user on the device belongs to the
 * first user seen on it (the anonymous visit before sign-up is the user's). A device never seen
 * with a user is its own person. Users are never merged with each other.
 *
 * <p>What is kept: the times of the device's identified events, with their users, in time order.
 * Behind the watermark ({@link #settle}) no event within the out-of-orderness bound can fall
 * between two of them any more, so a run of one user's events there is kept as its first and last
 * time only: the points are the events still ahead of the watermark plus two per run. Only a late
 * identified event (behind the watermark) of another user can fall inside such a run; anonymous
 * events between it and the run's end then go to the other user.
 */
public final class DeviceLinks {

    /**
     * Times, increasing, of identified events; {@code users[i]} was the user at {@code times[i]}.
     */
    public long[] times = new long[0];

    public String[] users = new String[0];

    public DeviceLinks() {}

    public boolean isEmpty() {
        return times.length == 0;
    }

    /** The time of the device's first identified event still kept; only when not empty. */
    public long firstTime() {
        return times[0];
    }

    /** An identified event of {@code user} at {@code time}, in any order. */
    public void link(long time, String user) {
        int i = Arrays.binarySearch(times, time);
        if (i >= 0) {
            // two users at one millisecond: the larger name wins, whatever the arrival order
            if (user.compareTo(users[i]) > 0) users[i] = user;
            return;
        }
        int at = -i - 1;
        long[] t = new long[times.length + 1];
        String[] u = new String[users.length + 1];
        System.arraycopy(times, 0, t, 0, at);
        System.arraycopy(users, 0, u, 0, at);
        t[at] = time;
        u[at] = user;
        System.arraycopy(times, at, t, at + 1, times.length - at);
        System.arraycopy(users, at, u, at + 1, users.length - at);
        times = t;
        users = u;
    }

    /**
     * The user an anonymous event at {@code time} belongs to, or null while the device has no user.
     */
    public String ownerAt(long time) {
        if (times.length == 0) return null;
        int i = Arrays.binarySearch(times, time);
        return users[Math.max(0, i >= 0 ? i : -i - 2)];
    }

    /**
     * Keeps only the first and the last time of each run of one user's events at or before {@code
     * watermark}, and forgets the runs no event at or after {@code floor} needs: every point before
     * the last one at or before it.
     */
    public void settle(long watermark, long floor) {
        int n = 0;
        for (int i = 0; i < times.length; i++) {
            boolean inner =
                    times[i] <= watermark
                            && i > 0
                            && i + 1 < times.length
                            && times[i + 1] <= watermark
                            && users[i].equals(users[i - 1])
                            && users[i].equals(users[i + 1]);
            if (inner) continue;
            times[n] = times[i];
            users[n] = users[i];
            n++;
        }
        int i = Arrays.binarySearch(times, 0, n, floor);
        int from = Math.max(0, i >= 0 ? i : -i - 2);
        if (from > 0 || n < times.length) {
            times = Arrays.copyOfRange(times, from, n);
            users = Arrays.copyOfRange(users, from, n);
        }
    }
}
