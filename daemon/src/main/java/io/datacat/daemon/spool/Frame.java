package io.datacat.daemon.spool;

/**
 * One frame read from a spool log.
 *
 * @param at       where it starts
 * @param next     where the frame after it starts (the position to ack once it is delivered)
 * @param contents what it holds
 */
public record Frame(SpoolPosition at, SpoolPosition next, FramePayload.Contents contents) {
}
