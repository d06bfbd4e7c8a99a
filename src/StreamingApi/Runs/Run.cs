namespace StreamingApi.Runs;

/// <summary>
/// One agent run: an id, the numbered events it has produced, and the means to stop it.
/// A run is not its HTTP response; responses read <see cref="Events"/>.
/// </summary>
public sealed class Run
{
    private readonly CancellationTokenSource _stop = new();

    public Run(string id, string endpoint, int replayWindow = RunEventLog.DefaultReplayWindow)
    {
        Id = id;
        Endpoint = endpoint;
        Events = new RunEventLog(replayWindow);
    }

    public string Id { get; }

    public string Endpoint { get; }

    public RunEventLog Events { get; }

    /// <summary>Completes when the run has ended and written its last event.</summary>
    public Task Completion { get; internal set; } = Task.CompletedTask;

    internal CancellationToken StopToken => _stop.Token;

    /// <summary>Stops the run: the model call and any running tool see their token fire.</summary>
    public void Stop()
    {
        _stop.Cancel();
    }
}
