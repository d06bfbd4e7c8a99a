using Microsoft.SemanticKernel;
using StreamingApi.Observability;
using StreamingApi.Runs;

namespace StreamingApi.Agents.Tools;

/// <summary>Records, from inside a tool, the moment its cancellation token fires.</summary>
public sealed class ToolCancellation(StreamingMetrics metrics)
{
    /// <summary>Key of the <see cref="RunContext"/> in <see cref="Kernel.Data"/> of a run's kernel.</summary>
    public const string RunKey = "streamingapi.run";

    private CancellationTokenRegistration Observe(Kernel kernel, string tool, CancellationToken cancellationToken)
    {
        var run = kernel.Data.TryGetValue(RunKey, out var value) ? value as RunContext : null;
        return cancellationToken.UnsafeRegister(_ => metrics.ToolCancelled(tool, run?.SinceStopRequested), null);
    }

    /// <summary>Waits like a slow remote call would, and gives up the moment the run is stopped.</summary>
    public async Task SimulateIoAsync(Kernel kernel, string tool, int delayMs, TimeProvider time, CancellationToken cancellationToken)
    {
        using var registration = Observe(kernel, tool, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        if (delayMs > 0) await Task.Delay(TimeSpan.FromMilliseconds(delayMs), time, cancellationToken).ConfigureAwait(false);
    }
}
