namespace StreamingApi.Agents;

/// <summary>
/// The model's service refused or failed a call. <see cref="Status"/> is the HTTP status to report to our client;
/// <see cref="Exception.Message"/> must be safe to show (no keys, no upstream bodies with secrets).
/// </summary>
public class ModelCallException(int status, string title, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public TimeSpan? RetryAfter { get; init; }
}
