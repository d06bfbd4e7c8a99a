namespace StreamingApi.Agents.Tools;

/// <summary>The wait of the slow remote call a demo tool stands for; it gives up the moment the tool's token fires.</summary>
internal static class SimulatedLatency
{
    public static Task WaitAsync(int delayMs, TimeProvider time, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested(); // a stopped run's tool returns nothing, even without a delay
        return delayMs > 0 ? Task.Delay(TimeSpan.FromMilliseconds(delayMs), time, cancellationToken) : Task.CompletedTask;
    }
}
