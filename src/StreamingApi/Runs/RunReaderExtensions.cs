using System.Runtime.CompilerServices;

namespace StreamingApi.Runs;

public static class RunReaderExtensions
{
    /// <summary>Every event the reader gives, as they come, until the run has completed.</summary>
    public static async IAsyncEnumerable<RunEvent> ReadAllAsync(this IRunReader reader, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        do
        {
            while (reader.TryRead(out var entry)) yield return entry;
            cancellationToken.ThrowIfCancellationRequested();
        }
        while (await reader.WaitToReadAsync().ConfigureAwait(false));
    }
}
