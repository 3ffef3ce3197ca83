package io.datacat.server.web;

import io.datacat.server.live.LiveFeed;
import io.javalin.http.sse.SseClient;

/** A live feed watcher's events written to a server-sent-events connection. */
final class SseSink implements LiveFeed.Sink {
    private final SseClient client;

    SseSink(SseClient client) {
        this.client = client;
    }

    @Override
    public boolean send(String event, String data) {
        if (client.terminated()) {
            return false;
        }
        client.sendEvent(event, data);
        return !client.terminated();
    }

    @Override
    public boolean comment(String text) {
        if (client.terminated()) {
            return false;
        }
        client.sendComment(text);
        return !client.terminated();
    }

    @Override
    public void close() {
        client.close();
    }
}
