package com.sessionflow.replay;

import com.sessionflow.event.EventParser;
import com.sessionflow.event.ParsedRecord;
import com.sessionflow.event.RecordOrigin;
import com.sessionflow.functions.ParsedRecordSerializer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.Path;

/**
 * Reads Amplitude export files ({@code .json.gz}, or plain {@code .json}: one export line per line)
 * and parses each line with the job's {@link EventParser}, as the Kafka source parses each record.
 * A line's position goes into its {@link RecordOrigin}, so a bad line's dead letter says where it
 * is: {@code topic} = the file's name, {@code partition} = -1, {@code offset} = the line number
 * (1-based), {@code timestamp} = -1 (a file line has no Kafka timestamp, so the clock-ahead check
 * does not apply). Blank lines are skipped. Files are read whole (gzip cannot be split).
 */
public final class ExportLineFormat implements BulkFormat<ParsedRecord, FileSourceSplit> {

    private static final long serialVersionUID = 1L;

    /** A file line is not a Kafka partition. */
    public static final int NO_PARTITION = -1;

    private static final int LINES_PER_BATCH = 500;

    private final EventParser parser;

    public ExportLineFormat(EventParser parser) {
        this.parser = parser;
    }

    @Override
    public Reader<ParsedRecord> createReader(Configuration config, FileSourceSplit split)
            throws IOException {
        return new LineReader(parser, split.path(), 0);
    }

    @Override
    public Reader<ParsedRecord> restoreReader(Configuration config, FileSourceSplit split)
            throws IOException {
        long skip =
                split.getReaderPosition()
                        .map(CheckpointedPosition::getRecordsAfterOffset)
                        .orElse(0L);
        return new LineReader(parser, split.path(), skip);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<ParsedRecord> getProducedType() {
        return ParsedRecordSerializer.TYPE;
    }

    /**
     * True for the names of files this format reads: {@code .json}, {@code .json.gz}, {@code
     * .jsonl}, {@code .jsonl.gz}.
     */
    public static boolean isExportFile(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".json.gz")
                || n.endsWith(".json")
                || n.endsWith(".jsonl")
                || n.endsWith(".jsonl.gz");
    }

    private static final class LineReader implements Reader<ParsedRecord> {
        private final EventParser parser;
        private final String fileName;
        private final BufferedReader lines;

        /** Lines read so far: the number of the last line read. */
        private long lineNumber;

        LineReader(EventParser parser, Path path, long skipLines) throws IOException {
            this.parser = parser;
            this.fileName = path.getName();
            FSDataInputStream raw = path.getFileSystem().open(path);
            InputStream in =
                    path.getName().toLowerCase(java.util.Locale.ROOT).endsWith(".gz")
                            ? new GZIPInputStream(raw, 64 * 1024)
                            : raw;
            this.lines =
                    new BufferedReader(
                            new InputStreamReader(in, StandardCharsets.UTF_8), 64 * 1024);
            while (lineNumber < skipLines && lines.readLine() != null) lineNumber++;
        }

        @Override
        public RecordIterator<ParsedRecord> readBatch() throws IOException {
            List<RecordAndPosition<ParsedRecord>> batch = new ArrayList<>();
            // until some records or the end of the file: an empty batch would mean the end
            for (int n = 0; n < LINES_PER_BATCH || batch.isEmpty(); n++) {
                String line = lines.readLine();
                if (line == null) break;
                long number = ++lineNumber;
                if (line.isBlank()) continue;
                RecordOrigin origin =
                        new RecordOrigin(
                                fileName,
                                NO_PARTITION,
                                number,
                                -1L,
                                null,
                                line.getBytes(StandardCharsets.UTF_8));
                List<ParsedRecord> parsed = new ArrayList<>(1);
                parser.parse(origin, parsed::add);
                // a restore skips whole lines: every record of a line but its last restarts at the
                // line
                for (int i = 0; i < parsed.size(); i++) {
                    long skip = i == parsed.size() - 1 ? number : number - 1;
                    batch.add(
                            new RecordAndPosition<>(
                                    parsed.get(i), CheckpointedPosition.NO_OFFSET, skip));
                }
            }
            if (batch.isEmpty()) return null;
            return new Batch(batch);
        }

        @Override
        public void close() throws IOException {
            lines.close();
        }
    }

    private static final class Batch implements RecordIterator<ParsedRecord> {
        private final List<RecordAndPosition<ParsedRecord>> records;
        private int next;

        Batch(List<RecordAndPosition<ParsedRecord>> records) {
            this.records = records;
        }

        @Override
        public RecordAndPosition<ParsedRecord> next() {
            return next < records.size() ? records.get(next++) : null;
        }

        @Override
        public void releaseBatch() {}
    }
}
