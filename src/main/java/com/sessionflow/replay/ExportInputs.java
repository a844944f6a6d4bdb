package com.sessionflow.replay;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Finds the export files to replay, in the client, before the job is built: directories are
 * searched recursively for {@code .json.gz} / {@code .json} files (names starting with {@code .} or
 * {@code _} are skipped); an Export API {@code .zip} (a zip of folders of {@code .json.gz} files)
 * is extracted into a work folder first. Any Flink file system works for files and folders (e.g.
 * {@code s3://} with its plugin); a zip must be on the client's local disk.
 */
public final class ExportInputs implements AutoCloseable {

    private final List<Path> files;

    /**
     * The folder zips were extracted into when this class created it (deleted on close), or null.
     */
    private final java.nio.file.Path createdWorkDir;

    private ExportInputs(List<Path> files, java.nio.file.Path createdWorkDir) {
        this.files = List.copyOf(files);
        this.createdWorkDir = createdWorkDir;
    }

    /**
     * Finds the export files of the inputs.
     *
     * @param inputs folders, files or zips
     * @param workDir where zips are extracted; null for a new temporary folder, deleted on {@link
     *     #close}
     * @throws IllegalArgumentException when an input is missing or no export file is found
     */
    public static ExportInputs resolve(List<String> inputs, java.nio.file.Path workDir)
            throws IOException {
        List<Path> files = new ArrayList<>();
        java.nio.file.Path[] created = {null};
        java.nio.file.Path[] work = {workDir};
        try {
            for (String input : inputs) {
                Path path = new Path(input.trim());
                FileSystem fs = path.getFileSystem();
                FileStatus status;
                try {
                    status = fs.getFileStatus(path);
                } catch (FileNotFoundException e) {
                    throw new IllegalArgumentException(
                            "Invalid value for option '--input': " + input + " does not exist");
                }
                int before = files.size();
                collect(fs, status, true, files, created, work);
                if (files.size() == before) {
                    throw new IllegalArgumentException(
                            "Invalid value for option '--input': "
                                    + input
                                    + " holds no export file (.json.gz, .json, .jsonl, .jsonl.gz or"
                                    + " an Export API .zip of them)");
                }
            }
        } catch (IOException | RuntimeException e) {
            delete(created[0]);
            throw e;
        }
        files.sort(Comparator.comparing(Path::toString));
        return new ExportInputs(files, created[0]);
    }

    public List<Path> files() {
        return files;
    }

    private static void collect(
            FileSystem fs,
            FileStatus status,
            boolean explicit,
            List<Path> out,
            java.nio.file.Path[] created,
            java.nio.file.Path[] work)
            throws IOException {
        Path path = status.getPath();
        String name = path.getName();
        if (!explicit && (name.startsWith(".") || name.startsWith("_"))) return;
        if (status.isDir()) {
            FileStatus[] children = fs.listStatus(path);
            if (children == null) return;
            for (FileStatus child : children) collect(fs, child, false, out, created, work);
        } else if (name.toLowerCase(Locale.ROOT).endsWith(".zip")) {
            if (fs.isDistributedFS()) {
                throw new IllegalArgumentException(
                        "Invalid value for option '--input': "
                                + path
                                + " is a zip on a remote file system; copy it to the local disk (it"
                                + " is extracted before the job starts)");
            }
            if (work[0] == null) {
                work[0] = Files.createTempDirectory("sessionflow-export-");
                created[0] = work[0];
            }
            java.nio.file.Path target =
                    Files.createDirectories(work[0].resolve(stripZip(name) + "-" + out.size()));
            unzip(new java.io.File(path.toUri().getPath()).toPath(), target);
            try (Stream<java.nio.file.Path> walk = Files.walk(target)) {
                walk.filter(Files::isRegularFile)
                        .filter(
                                f ->
                                        !f.getFileName().toString().startsWith(".")
                                                && !f.getFileName().toString().startsWith("_"))
                        .filter(f -> ExportLineFormat.isExportFile(f.getFileName().toString()))
                        .forEach(f -> out.add(new Path(f.toUri())));
            }
        } else if (explicit || ExportLineFormat.isExportFile(name)) {
            out.add(path);
        }
    }

    private static String stripZip(String name) {
        return name.substring(0, name.length() - ".zip".length());
    }

    /**
     * Extracts every file of the zip below {@code target}; an entry that would land outside it is
     * an error.
     */
    static void unzip(java.nio.file.Path zip, java.nio.file.Path target) throws IOException {
        java.nio.file.Path root = target.toAbsolutePath().normalize();
        try (InputStream in = Files.newInputStream(zip);
                ZipInputStream entries = new ZipInputStream(in)) {
            ZipEntry entry;
            while ((entry = entries.getNextEntry()) != null) {
                java.nio.file.Path dest = root.resolve(entry.getName()).normalize();
                if (!dest.startsWith(root)) {
                    throw new IOException(
                            "zip " + zip + " has an entry outside its folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(dest);
                } else {
                    Files.createDirectories(dest.getParent());
                    Files.copy(entries, dest, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Deletes the work folder if this class created it. */
    @Override
    public void close() {
        delete(createdWorkDir);
    }

    private static void delete(java.nio.file.Path dir) {
        if (dir == null) return;
        try (Stream<java.nio.file.Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder())
                    .forEach(
                            p -> {
                                try {
                                    Files.deleteIfExists(p);
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            });
        } catch (IOException | UncheckedIOException e) {
            // a temp folder left behind is harmless
        }
    }
}
