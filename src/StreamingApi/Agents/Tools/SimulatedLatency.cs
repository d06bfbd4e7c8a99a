namespace StreamingApi.Agents.Tools;

/// <summary>
/// The wait of the slow remote call a demo tool stands for; it gives up the moment the tool's token fires, quietly: the
/// tool then returns as it would have, and the run's <see cref="ToolCallFilter"/>, which sees the token fired, keeps
/// that result from the model and the stream.
/// </summary>
internal static class SimulatedLatency
{
    public static async Task WaitAsync(int delayMs, TimeProvider time, CancellationToken cancellationToken)
    {
        if (delayMs > 0 && !cancellationToken.IsCancellationRequested)
            await Task.Delay(TimeSpan.FromMilliseconds(delayMs), time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
