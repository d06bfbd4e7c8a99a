using System.Net;
using Microsoft.Extensions.DependencyInjection;
using StreamingApi.Agents;
using StreamingApi.Runs;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Approvals;

/// <summary>
/// A run that waited and fails as it goes on (its store refuses the first event after the claim) ends as failed, with
/// its <c>error</c> and <c>done</c>, rather than stay "running" with no task.
/// </summary>
public sealed class ResumeFailureTests
{
    [Fact]
    public async Task ARunThatCannotWriteAfterItsClaimEndsAsFailed()
    {
        await using var app = ApprovalTests.App().WithServices(services =>
        {
            var store = services.Last(d => d.ServiceType == typeof(IRunStore));
            services.Remove(store);
            services.AddSingleton<IRunStore>(provider => new ReopenFailingRunStore((IRunStore)store.ImplementationFactory!(provider)));
        });
        var client = app.CreateSocketClient();
        var runId = await ApprovalTests.StartAsync(client);
        using var response = await client.OpenAsync($"/runs/{runId}/events");
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
        var read = await ApprovalTests.ReadUntilAsync(frames, "approval-request");

        using (var decided = await ApprovalTests.DecideAsync(client, runId, read[^1]["approvalId"].GetString()!, approved: true))
            Assert.Equal(HttpStatusCode.OK, decided.StatusCode); // the decision is recorded; the run fails as it goes on
        read.AddRange(await ApprovalTests.ReadToEndAsync(frames));

        Assert.Equal(["error", "done"], read[^2..].Select(f => f.Type));
        Assert.Equal("failed", read[^1]["status"].GetString());
        await Eventually.TrueAsync(async () => (await client.GetRunAsync(runId)).GetProperty("status").GetString() == "failed",
            "the run's record says it failed", TimeSpan.FromSeconds(30));
    }

    /// <summary>The app's store, whose reopened logs refuse their first event.</summary>
    private sealed class ReopenFailingRunStore(IRunStore inner) : DelegatingRunStore(inner)
    {
        public override async ValueTask<IRunLog> ReopenAsync(RunCheckpoint checkpoint, RunRecord running, IRunOwner owner) =>
            new FirstAppendFails(await base.ReopenAsync(checkpoint, running, owner));
    }

    private sealed class FirstAppendFails(IRunLog inner) : IRunLog
    {
        private int _appends;

        public string RunId => inner.RunId;

        public ValueTask AppendAsync(AgentEvent @event, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _appends) == 1 ? throw new InvalidOperationException("The store refused the event.") : inner.AppendAsync(@event, cancellationToken);

        public ValueTask CompleteAsync(IReadOnlyList<AgentEvent> lastEvents, RunRecord end) => inner.CompleteAsync(lastEvents, end);
    }
}
