using StreamingApi.Agents;
using StreamingApi.Runs;

namespace StreamingApi.Tests.Infrastructure;

/// <summary>
/// Holds every run's start (its record's creation in the store) until the test opens the gate: requests admitted at
/// the same instant stay "about to start a run" for as long as the test needs them to be.
/// </summary>
public sealed class RunStartGate
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _waiting;

    /// <summary>Runs held at the gate so far (it counts them until it opens, and on).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public void Open() => _open.TrySetResult();

    internal async Task PassAsync()
    {
        Interlocked.Increment(ref _waiting);
        await _open.Task;
    }
}

/// <summary>The app's own run store, whose runs wait at a <see cref="RunStartGate"/> before they are created.</summary>
public sealed class GatedRunStore(IRunStore inner, RunStartGate gate) : DelegatingRunStore(inner)
{
    public override async ValueTask<IRunLog> CreateAsync(RunRecord record, IRunOwner owner, CancellationToken cancellationToken)
    {
        await gate.PassAsync();
        return await base.CreateAsync(record, owner, cancellationToken);
    }
}
