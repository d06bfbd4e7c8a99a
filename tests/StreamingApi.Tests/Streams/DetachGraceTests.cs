using System.Diagnostics;
using Serilog.Events;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

/// <summary>What a reader going away means: the run waits for it for the grace period, then stops.</summary>
public sealed class DetachGraceTests
{
    private const string Essay = "/stream/text?prompt=Write%20a%20long%20essay%20about%20lighthouses";

    [Fact]
    public async Task ARunWhoseClientDoesNotComeBackIsCancelledAfterTheGrace()
    {
        await using var app = new StreamingApiApplication()
            .With("OfflineModel:TokensPerSecond", "100")
            .With("Runs:DetachGraceSeconds", "1.5");
        var client = app.CreateSocketClient();

        var frames = await client.ReadThenDropAsync(Essay, 3);
        var dropped = Stopwatch.StartNew();
        var ended = await app.Logs.WaitForAsync(LogCapture.IsRunEnded, TimeSpan.FromSeconds(20));

        Assert.True(dropped.Elapsed >= TimeSpan.FromSeconds(1.3), $"cancelled {dropped.Elapsed.TotalMilliseconds} ms after the drop, within the grace");
        Assert.Equal(frames[0].RunId, LogCapture.Scalar(ended, "RunId"));
        Assert.Equal("cancelled", LogCapture.Scalar(ended, "Status"));
        Assert.Equal("client-disconnected", LogCapture.Scalar(ended, "Reason"));
        await app.WaitForNoActiveRunsAsync();
    }

    [Fact]
    public async Task AClientThatComesBackWithinTheGraceContinuesAndTheRunCompletes()
    {
        await using var app = new StreamingApiApplication()
            .With("OfflineModel:TokensPerSecond", "300")
            .With("Runs:DetachGraceSeconds", "30");
        var client = app.CreateSocketClient();
        const string url = "/stream/text?prompt=Explain%20lighthouses";
        var reference = await client.GetFramesAsync(url);

        var frames = await client.ReadThenDropAsync(url, 5);
        frames.AddRange(await client.ResumeFramesAsync(url, frames[^1].Id!));

        Assert.Equal(reference.Text(), frames.Text());
        Assert.Equal(Enumerable.Range(1, frames.Count).Select(i => (long)i), frames.Select(f => f.Sequence));
        var ended = await app.Logs.WaitForAsync(e => LogCapture.IsRunEnded(e) && LogCapture.Scalar(e, "RunId") == frames[0].RunId);
        Assert.Equal("completed", LogCapture.Scalar(ended, "Status"));
    }

    [Fact]
    public async Task AClientThatGoesAwayIsNotAnErrorInTheLogs()
    {
        await using var app = new StreamingApiApplication().With("OfflineModel:TokensPerSecond", "100");
        var client = app.CreateSocketClient();

        await client.ReadThenDropAsync(Essay, 3);
        await app.Logs.WaitForAsync(LogCapture.IsRunEnded);
        var request = await app.Logs.WaitForAsync(e => e.MessageTemplate.Text.StartsWith("HTTP {RequestMethod}", StringComparison.Ordinal)
            && LogCapture.Scalar(e, "RequestPath") == "/stream/text");

        Assert.Equal(LogEventLevel.Information, request.Level);
        Assert.Null(request.Exception);
        Assert.DoesNotContain(app.Logs.Events, e => e.Level >= LogEventLevel.Warning);
    }
}
