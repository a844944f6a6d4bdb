package com.sessionflow.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** A device's users over time: exact in any arrival order ahead of the watermark. */
class DeviceLinksTest {

    @Property(tries = 300)
    void theLastUserAtOrBeforeInAnyOrderAndTwoPointsPerSettledRun(@ForAll long seed) {
        Random r = new Random(seed);
        // a device used by one user, then another, then the first again: runs without overlap
        List<long[]> logins = new ArrayList<>();
        long t = 1_000;
        String[] users = {"ann", "bob", "ann", "cy"};
        for (int u = 0; u < users.length; u++) {
            for (int i = 0; i < 1 + r.nextInt(4); i++) {
                logins.add(new long[] {t, u});
                t += 10 + r.nextInt(50);
            }
            t += 100;
        }
        List<long[]> arrival = new ArrayList<>(logins);
        Collections.shuffle(arrival, r);
        DeviceLinks links = new DeviceLinks();
        for (long[] l : arrival) links.link(l[0], users[(int) l[1]]);
        assertOwners(links, logins, users, t, "as linked");
        links.settle(Long.MAX_VALUE, Long.MIN_VALUE);
        assertThat(links.times.length)
                .as("two points per run")
                .isLessThanOrEqualTo(2 * users.length);
        assertOwners(links, logins, users, t, "settled");
    }

    /** Every probe time's owner is the user of the last login at or before it, else the first. */
    private static void assertOwners(
            DeviceLinks links, List<long[]> logins, String[] users, long end, String when) {
        for (long probe = 900; probe < end; probe += 7) {
            String expected = users[(int) logins.get(0)[1]];
            for (long[] l : logins) {
                if (l[0] <= probe) expected = users[(int) l[1]];
            }
            assertThat(links.ownerAt(probe)).as("%s, at %d", when, probe).isEqualTo(expected);
        }
    }

    @Test
    void aLateLoginInsideASettledRunSplitsItAtItsEnds() {
        DeviceLinks links = new DeviceLinks();
        links.link(100, "ann");
        links.link(150, "ann");
        links.link(300, "ann");
        links.settle(400, Long.MIN_VALUE);
        assertThat(links.times).containsExactly(100, 300);
        links.link(200, "bob");
        assertThat(links.ownerAt(150)).isEqualTo("ann");
        assertThat(links.ownerAt(250)).isEqualTo("bob");
        assertThat(links.ownerAt(300)).isEqualTo("ann");
    }

    @Test
    void forgettingKeepsTheRunInForceAtTheFloor() {
        DeviceLinks links = new DeviceLinks();
        links.link(100, "ann");
        links.link(200, "bob");
        links.link(300, "ann");
        links.settle(Long.MIN_VALUE, 250);
        assertThat(links.ownerAt(260)).isEqualTo("bob");
        assertThat(links.ownerAt(400)).isEqualTo("ann");
        assertThat(links.times).containsExactly(200, 300);
        assertThat(new DeviceLinks().ownerAt(5)).isNull();
    }
}
