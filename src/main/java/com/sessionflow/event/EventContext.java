package com.sessionflow.event;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Where an event came from and the device it ran on: the attribution and context a session takes
 * from its entry event (its first active one), as Mixpanel's session properties and GA4's session
 * source do. UTM parameters and referrers are read from {@code event_properties}, else {@code
 * user_properties} (Amplitude's web attribution sets them as user properties); the location and
 * device fields are the HTTP API v2 event's own. {@link #properties} holds the values of the
 * properties chosen with {@code --session-properties}, in the option's order.
 *
 * <p>A Flink POJO so that events travel with Flink's serializer, but a value: the parser builds it
 * once and nothing writes to it afterwards, so sessions and records share one instance.
 */
public class EventContext {

    /** The record's field names of the fixed fields, in the order {@link #fields()} returns. */
    public static final List<String> FIELD_NAMES =
            List.of(
                    "utm_source",
                    "utm_medium",
                    "utm_campaign",
                    "referrer",
                    "referring_domain",
                    "country",
                    "region",
                    "city",
                    "language",
                    "device_family",
                    "device_model",
                    "os_version",
                    "carrier");

    /** The first of {@link #FIELD_NAMES} that is a property, not one of the event's own fields. */
    public static final int PROPERTY_FIELDS = 5;

    public String utmSource;
    public String utmMedium;
    public String utmCampaign;
    public String referrer;
    public String referringDomain;
    public String country;
    public String region;
    public String city;
    public String language;
    public String deviceFamily;
    public String deviceModel;
    public String osVersion;
    public String carrier;

    /** Values of the {@code --session-properties}, by position; null when none are chosen. */
    public String[] properties;

    public EventContext() {}

    /** A context of the fixed fields in {@link #FIELD_NAMES} order, and the chosen properties. */
    public static EventContext of(String[] fields, String[] properties) {
        EventContext c = new EventContext();
        c.utmSource = fields[0];
        c.utmMedium = fields[1];
        c.utmCampaign = fields[2];
        c.referrer = fields[3];
        c.referringDomain = fields[4];
        c.country = fields[5];
        c.region = fields[6];
        c.city = fields[7];
        c.language = fields[8];
        c.deviceFamily = fields[9];
        c.deviceModel = fields[10];
        c.osVersion = fields[11];
        c.carrier = fields[12];
        c.properties = properties;
        return c;
    }

    /** The fixed fields in {@link #FIELD_NAMES} order. */
    public String[] fields() {
        return new String[] {
            utmSource,
            utmMedium,
            utmCampaign,
            referrer,
            referringDomain,
            country,
            region,
            city,
            language,
            deviceFamily,
            deviceModel,
            osVersion,
            carrier
        };
    }

    /** The value of the {@code i}-th chosen property, null when absent. */
    public String property(int i) {
        return properties == null || i >= properties.length ? null : properties[i];
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof EventContext c)) return false;
        return Arrays.equals(fields(), c.fields()) && Arrays.equals(properties, c.properties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(fields()), Arrays.hashCode(properties));
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("EventContext{");
        String[] values = fields();
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null)
                b.append(FIELD_NAMES.get(i)).append('=').append(values[i]).append(' ');
        }
        if (properties != null) b.append("properties=").append(Arrays.toString(properties));
        return b.append('}').toString();
    }
}
