package io.datacat.server.ingest;

/**
 * What a batch did: {@code accepted} records were new and stored, {@code duplicates} had
 * been stored before (or twice in the batch) and changed nothing.
 */
public record IngestResult(int accepted, int duplicates) {
}
