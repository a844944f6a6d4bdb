# The ingest server's image (k8s/ingest.yaml, docs/ingest.md): a Java 17 runtime and the server's
# shaded jar, nothing of Flink.
#
# Build from the repository root, after the jars are built:
#   mvn clean package -DskipTests
#   docker build -f k8s/ingest.Dockerfile -t <registry>/sessionflow-ingest:0.2.0 .
#
# Not built here: written without a Docker engine at hand (the jar it copies is the one
# IngestFaultITCase runs as a process).
FROM eclipse-temurin:17-jre

COPY target/sessionflow-0.2.0-SNAPSHOT-ingest.jar /opt/sessionflow/ingest.jar

# Not root: the server needs no privilege (it listens above 1024)
USER 10001
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/sessionflow/ingest.jar"]
CMD ["--host", "0.0.0.0", "--port", "8080"]
