namespace StreamingApi.Limits;

/// <summary>How large a request may be (section <c>Limits</c>); see docs/limits.md.</summary>
public sealed class LimitOptions
{
    /// <summary>The largest request body accepted (413 beyond it).</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>The most messages a conversation (<c>/api/chat</c>, AG-UI) may send.</summary>
    public int MaxMessages { get; set; } = 200;
}
