namespace StreamingApi.Streaming;

/// <summary>How streams behave on the wire, and what a client may ask (section <c>Streaming</c>).</summary>
public sealed class StreamingOptions
{
    /// <summary>The longest prompt accepted (in a conversation: its last user message).</summary>
    public int MaxPromptChars { get; set; } = 4000;

    /// <summary>The most text a conversation (<c>/api/chat</c>, AG-UI) may send in all its messages together.</summary>
    public int MaxConversationChars { get; set; } = 100_000;

    /// <summary>The <c>retry:</c> of every stream's first frame: how long a browser waits before it reconnects.</summary>
    public int RetryMs { get; set; } = 1000;

    /// <summary>A <c>: keep-alive</c> comment is written when nothing was written for this long (0: never).</summary>
    public double HeartbeatSeconds { get; set; } = 15;

    /// <summary>A reader that takes nothing for this long is dropped like a disconnect (0: never).</summary>
    public double StalledReaderSeconds { get; set; } = 30;
}
