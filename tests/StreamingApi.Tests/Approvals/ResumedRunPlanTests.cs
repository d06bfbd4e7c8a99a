using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamingApi.Tests.Infrastructure;
using static StreamingApi.Tests.Approvals.ApprovalTests;

namespace StreamingApi.Tests.Approvals;

/// <summary>
/// A run that waited for a person goes on under the plan it was started with, wherever it is taken up: its events shaped
/// as asked (progress every N chunks) and its stream's detach grace still in force.
/// </summary>
public sealed class ResumedRunPlanTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ARunAskedForProgressKeepsGettingItAfterItsApproval(bool onRedis)
    {
        await using var redis = onRedis ? await RedisServer.StartAsync() : null;
        await using var a = redis?.Instance(App()) ?? App();
        await using var b = redis?.Instance(App());
        var (starter, decider) = (a.CreateSocketClient(), (b ?? a).CreateSocketClient());

        string runId;
        using (var accepted = await starter.PostAsJsonAsync("/runs", new { agent = "analyst", prompt = Prompt, every = 1 }))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            runId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetString()!;
        }
        using var response = await decider.OpenAsync($"/runs/{runId}/events");
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
        var read = await ReadUntilAsync(frames, "approval-request");
        await Eventually.TrueAsync(async () => (await decider.GetRunAsync(runId)).GetProperty("status").GetString() == "waiting", "the run waits");
        // On Redis the decision is taken on the other instance, which goes on with the run from its checkpoint.
        using (var decided = await DecideAsync(decider, runId, read[^1]["approvalId"].GetString()!, approved: true))
            Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        read.AddRange(await ReadToEndAsync(frames));

        Contiguous(read);
        Assert.Equal(("done", "completed"), (read[^1].Type, read[^1]["status"].GetString()));
        var after = read.SkipWhile(f => f.Type != "approval").ToList();
        Assert.Contains("The report was sent to cfo@example.com", after.Text());
        var texts = after.Select((frame, index) => (frame, index)).Where(f => f.frame.Type == "text").ToList();
        Assert.NotEmpty(texts);
        Assert.All(texts, text => Assert.Equal("progress", after[text.index + 1].Type));
        Assert.Equal(after.Count(f => f.Type == "text") + 1, after.Count(f => f.Type == "progress")); // and one at the end
    }

    [Fact]
    public async Task AStreamsRunTakenUpAfterItsApprovalStopsWhenItsReaderLeaves()
    {
        // Slow enough that the run, once it goes on, outlasts its reader by seconds: the test's default grace is 0.
        await using var app = App().With("OfflineModel:TokensPerSecond", "5");
        var client = app.CreateSocketClient();
        string runId;
        using (var response = await client.OpenAsync($"/stream/analysis?prompt={Uri.EscapeDataString(Prompt)}"))
        {
            await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
            var read = await ReadUntilAsync(frames, "approval-request");
            runId = read[0].RunId;
            await Eventually.TrueAsync(async () => (await client.GetRunAsync(runId)).GetProperty("status").GetString() == "waiting", "the run waits");
            using (var decided = await DecideAsync(client, runId, read[^1]["approvalId"].GetString()!, approved: true))
                Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
            await ReadUntilAsync(frames, "tool-result"); // it goes on: the report is sent, and its last answer is on its way
        }

        var ended = await app.Logs.WaitForAsync(e => LogCapture.IsRunEnded(e) && LogCapture.Scalar(e, "RunId") == runId);
        Assert.Equal(("cancelled", "client-disconnected"), (LogCapture.Scalar(ended, "Status"), LogCapture.Scalar(ended, "Reason")));
        var all = await client.GetFramesAsync($"/runs/{runId}/events");
        Assert.Equal(("done", "cancelled"), (all[^1].Type, all[^1]["status"].GetString()));
        Assert.DoesNotContain("The report was sent to cfo@example.com", all.Text());
    }
}
