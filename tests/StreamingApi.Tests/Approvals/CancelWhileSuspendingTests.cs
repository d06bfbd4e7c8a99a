using System.Net;
using Microsoft.Extensions.DependencyInjection;
using StreamingApi.Agents.Tools;
using StreamingApi.Runs;
using StreamingApi.Tests.Infrastructure;
using static StreamingApi.Tests.Approvals.ApprovalTests;

namespace StreamingApi.Tests.Approvals;

/// <summary>
/// A cancel that comes while a run is being stored as waiting (its task past its last look at the stop, the store
/// not yet done): the run ends cancelled at once, its approval denied, instead of waiting for a person who will not
/// come.
/// </summary>
public sealed class CancelWhileSuspendingTests
{
    [Fact]
    public async Task ACancelThatComesWhileTheRunIsStoredAsWaitingEndsIt()
    {
        var gate = new SuspendGate();
        await using var app = App().WithServices(services =>
        {
            var store = services.Last(d => d.ServiceType == typeof(IRunStore));
            services.Remove(store);
            services.AddSingleton<IRunStore>(provider => new GatedSuspendRunStore((IRunStore)store.ImplementationFactory!(provider), gate));
        });
        var client = app.CreateSocketClient();
        var runId = await StartAsync(client);
        await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        using (var cancel = await client.PostAsync($"/runs/{runId}/cancel", null))
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        gate.Release.SetResult();

        await Eventually.TrueAsync(async () => (await client.GetRunAsync(runId)).GetProperty("status").GetString() == "cancelled",
            "the run is cancelled");
        var all = await client.GetFramesAsync($"/runs/{runId}/events");
        var decided = all.Single(f => f.Type == "approval");
        Assert.Equal((false, "stopped"), (decided["approved"].GetBoolean(), decided["reason"].GetString()));
        Assert.Equal(("done", "cancelled", "stopped"), (all[^1].Type, all[^1]["status"].GetString(), all[^1]["reason"].GetString()));
        Assert.Empty(app.Services.GetRequiredService<SentReports>().All);
    }

    private sealed class SuspendGate
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The app's own store, where a run being stored as waiting holds until the test lets it go on.</summary>
    private sealed class GatedSuspendRunStore(IRunStore inner, SuspendGate gate) : DelegatingRunStore(inner)
    {
        public override async ValueTask SuspendAsync(IRunLog log, RunCheckpoint checkpoint)
        {
            gate.Entered.TrySetResult();
            await gate.Release.Task;
            await base.SuspendAsync(log, checkpoint);
        }
    }
}
