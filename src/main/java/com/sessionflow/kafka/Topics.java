package com.sessionflow.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Checks the topics before the job starts: a missing input topic would make the job fail over
 * forever, so it stops start-up instead; missing output topics are created (sessions and metrics
 * compacted).
 */
public final class Topics {

    private static final long TIMEOUT_S = 30;

    private Topics() {}

    /** For the job: the inputs must exist; missing outputs get the inputs' partition count. */
    public static void prepare(KafkaSettings kafka, boolean createOutputs) {
        withAdmin(
                kafka,
                (admin, existing) -> {
                    List<String> missingInputs = new ArrayList<>(kafka.inputTopics);
                    missingInputs.removeAll(existing);
                    if (!missingInputs.isEmpty()) {
                        throw new TopicsException(
                                "input topic(s) "
                                        + missingInputs
                                        + " do not exist on "
                                        + kafka.bootstrapServers
                                        + " (option --input-topics); create them first",
                                null);
                    }
                    Optional<Integer> partitions =
                            Optional.of(
                                    admin
                                            .describeTopics(kafka.inputTopics)
                                            .allTopicNames()
                                            .get(TIMEOUT_S, TimeUnit.SECONDS)
                                            .values()
                                            .stream()
                                            .mapToInt(d -> d.partitions().size())
                                            .max()
                                            .orElse(1));
                    List<NewTopic> create = new ArrayList<>();
                    addIfMissing(
                            create,
                            existing,
                            kafka.sessionsTopic,
                            partitions,
                            true,
                            "--sessions-topic",
                            createOutputs);
                    addIfMissing(
                            create,
                            existing,
                            kafka.deadLetterTopic,
                            partitions,
                            false,
                            "--dlq-topic",
                            createOutputs);
                    addIfMissing(
                            create,
                            existing,
                            kafka.lateTopic,
                            partitions,
                            false,
                            "--late-topic",
                            createOutputs);
                    addIfMissing(
                            create,
                            existing,
                            kafka.quarantineTopic,
                            partitions,
                            false,
                            "--quarantine-topic",
                            createOutputs);
                    addIfMissing(
                            create,
                            existing,
                            kafka.metricsTopic,
                            partitions,
                            true,
                            "--metrics-topic",
                            createOutputs);
                    if (!create.isEmpty())
                        admin.createTopics(create).all().get(TIMEOUT_S, TimeUnit.SECONDS);
                });
    }

    /**
     * For a replay of export files into Kafka: only the sessions topic, created compacted with the
     * broker's default partition count when missing.
     */
    public static void prepareSessionsTopic(KafkaSettings kafka, boolean create) {
        withAdmin(
                kafka,
                (admin, existing) -> {
                    List<NewTopic> missing = new ArrayList<>();
                    addIfMissing(
                            missing,
                            existing,
                            kafka.sessionsTopic,
                            Optional.empty(),
                            true,
                            "--sessions-topic",
                            create);
                    if (!missing.isEmpty())
                        admin.createTopics(missing).all().get(TIMEOUT_S, TimeUnit.SECONDS);
                });
    }

    /** What to do with an admin client, given the topics that exist. */
    private interface AdminCalls {
        void run(Admin admin, Set<String> existing)
                throws InterruptedException, ExecutionException, TimeoutException;
    }

    private static void withAdmin(KafkaSettings kafka, AdminCalls calls) {
        try (Admin admin = Admin.create(kafka.adminProperties())) {
            calls.run(admin, admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicsException("interrupted while checking topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new TopicsException(
                    "cannot reach Kafka at "
                            + kafka.bootstrapServers
                            + " (option --bootstrap-servers): "
                            + e.getMessage(),
                    e);
        }
    }

    private static void addIfMissing(
            List<NewTopic> create,
            Set<String> existing,
            String topic,
            Optional<Integer> partitions,
            boolean compacted,
            String option,
            boolean createOutputs) {
        if (existing.contains(topic)) return;
        if (!createOutputs) {
            throw new TopicsException(
                    "output topic "
                            + topic
                            + " does not exist (option "
                            + option
                            + "); create it or run with --create-topics=true",
                    null);
        }
        NewTopic t = new NewTopic(topic, partitions, Optional.empty());
        if (compacted) t.configs(Map.of("cleanup.policy", "compact"));
        create.add(t);
    }
}
