using System.Runtime.CompilerServices;
using System.Text;
using StreamingApi.Agents;

namespace StreamingApi.Runs;

/// <summary>
/// Coalesces text deltas into fewer, larger frames: a frame leaves when <c>minChars</c> are buffered, or when the
/// oldest buffered character has waited <c>maxDelay</c>. Any other event flushes the buffer first, so order is kept,
/// and the remainder is flushed at the end: the concatenated text is exactly the model's.
/// </summary>
public static class BufferedText
{
    public static EventShaper Coalesce(int minChars, TimeSpan maxDelay, TimeProvider time) =>
        (events, _, cancellationToken) => CoalesceAsync(events, minChars, maxDelay, time, cancellationToken);

    private static async IAsyncEnumerable<AgentEvent> CoalesceAsync(IAsyncEnumerable<AgentEvent> events, int minChars, TimeSpan maxDelay,
        TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = new StringBuilder();
        long bufferedSince = 0;
        var source = events.GetAsyncEnumerator(cancellationToken);
        Task<bool>? next = null;
        try
        {
            while (true)
            {
                next ??= source.MoveNextAsync().AsTask();
                if (buffer.Length > 0 && !next.IsCompleted && !await ArrivesInTime(next, maxDelay - time.GetElapsedTime(bufferedSince), time, cancellationToken))
                {
                    yield return Flush(buffer);
                    continue;
                }

                if (!await next.ConfigureAwait(false)) break;
                next = null;
                if (source.Current is TextDelta text)
                {
                    if (buffer.Length == 0) bufferedSince = time.GetTimestamp();
                    buffer.Append(text.Delta);
                    if (buffer.Length >= minChars) yield return Flush(buffer);
                    continue;
                }

                if (buffer.Length > 0) yield return Flush(buffer);
                yield return source.Current;
            }

            if (buffer.Length > 0) yield return Flush(buffer);
        }
        finally
        {
            if (next is not null) await ((Task)next).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await source.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>True when the next event arrives within <paramref name="wait"/>; false when the buffer is due first.</summary>
    private static async Task<bool> ArrivesInTime(Task<bool> next, TimeSpan wait, TimeProvider time, CancellationToken cancellationToken)
    {
        if (wait <= TimeSpan.Zero) return false;
        try
        {
            await next.WaitAsync(wait, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (Exception) when (next.IsCompleted)
        {
            // The source failed; the caller awaits it and sees why.
        }
        return true;
    }

    private static TextDelta Flush(StringBuilder buffer)
    {
        var text = new TextDelta(buffer.ToString());
        buffer.Clear();
        return text;
    }
}
