using System.Text.Json;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

/// <summary>Memory per run is bounded whatever clients do: a run waits for a slow reader, and a stalled one is dropped.</summary>
public sealed class SlowReaderTests
{
    [Fact]
    public async Task ARunWaitsForAReaderThatStopsReadingWhichIsThenDroppedLikeADisconnect()
    {
        await using var app = new StreamingApiApplication()
            .With("OfflineModel:FixedDeltaCount", "300000")
            .With("Runs:MaxBacklogEvents", "256")
            .With("Runs:ReplayWindow", "64")
            .With("Streaming:StalledReaderSeconds", "2");
        using var client = app.CreateSocketClient(receiveBufferBytes: 4096);

        // Reads the first frame, then nothing more: the socket's buffers fill and the server's writes stall.
        using var response = await client.OpenAsync("/stream/text?prompt=Explain%20rivers");
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
        Assert.True(await frames.MoveNextAsync());
        var runId = frames.Current.RunId;

        long last = -1, now = 0;
        await Eventually.TrueAsync(async () =>
        {
            (last, now) = (now, await LastSequenceAsync(app, runId));
            await Task.Delay(200);
            return now == last || now < 0;
        }, "the run has stopped appending");
        Assert.InRange(now, 1, 299_999); // it waits, rather than writing the answer into memory
        Assert.InRange(app.Store.HeldEvents(runId) ?? 0, 0, 64 + 256 + 32 + 1);

        var dropped = await app.Logs.WaitForAsync(e => e.MessageTemplate.Text.StartsWith("Dropped a reader", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Equal(runId, LogCapture.Scalar(dropped, "RunId"));
        var ended = await app.Logs.WaitForAsync(LogCapture.IsRunEnded);
        Assert.Equal(("cancelled", "client-disconnected"), (LogCapture.Scalar(ended, "Status"), LogCapture.Scalar(ended, "Reason")));
        await app.WaitForNoActiveRunsAsync();
    }

    private static async Task<long> LastSequenceAsync(StreamingApiApplication app, string runId) =>
        (await app.CreateClient().GetRunAsync(runId)).GetProperty("lastSequence").GetInt64();
}
