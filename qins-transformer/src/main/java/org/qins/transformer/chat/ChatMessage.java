package org.qins.transformer.chat;

/** One turn of a conversation: role ({@code system}, {@code user}, {@code assistant}) and text. */
public record ChatMessage(String role, String content) {

    public static ChatMessage system(String text) {
        return new ChatMessage("system", text);
    }

    public static ChatMessage user(String text) {
        return new ChatMessage("user", text);
    }

    public static ChatMessage assistant(String text) {
        return new ChatMessage("assistant", text);
    }
}
