using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Serilog.Events;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

/// <summary>What a reader going away means: the run waits for it for the grace period, then stops.</summary>
public sealed class DetachGraceTests
{
    private const string Essay = "/stream/text?prompt=Write%20a%20long%20essay%20about%20lighthouses";
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ARunWhoseClientDoesNotComeBackIsCancelledWhenTheGraceRunsOutNotBefore()
    {
        // On a fake clock that only the test moves, the offline model's first token is an hour away: a run does nothing
        // but wait, and ends only when something stops it.
        var time = new FakeTimeProvider();
        await using var app = new StreamingApiApplication()
            .With("OfflineModel:TokensPerSecond", "100")
            .With("OfflineModel:FirstTokenDelayMs", "3600000")
            .With("Runs:DetachGraceSeconds", Grace.TotalSeconds.ToString(CultureInfo.InvariantCulture))
            .WithServices(services => services.AddSingleton<TimeProvider>(time));
        var client = app.CreateSocketClient();

        // Two clients leave at the same instant; both requests have ended, so both runs have lost their last reader.
        var early = (await client.ReadThenDropAsync(Essay, 1))[0].RunId;
        var late = (await client.ReadThenDropAsync(Essay, 1))[0].RunId;
        await Eventually.TrueAsync(() => app.Logs.Events.Count(LogCapture.IsRequestLine) == 2, "both requests have ended");

        // A millisecond before the grace runs out, neither run has been stopped: a stop by the grace is made within
        // Advance, and the first reason given wins, so the one stopped now must end as "stopped".
        time.Advance(Grace - TimeSpan.FromMilliseconds(1));
        await app.Runs.CancelAsync(early, CancellationToken.None);
        var earlyEnded = await app.Logs.WaitForAsync(e => LogCapture.IsRunEnded(e) && LogCapture.Scalar(e, "RunId") == early);
        Assert.Equal(("cancelled", "stopped"), (LogCapture.Scalar(earlyEnded, "Status"), LogCapture.Scalar(earlyEnded, "Reason")));

        time.Advance(TimeSpan.FromMilliseconds(1));
        var ended = await app.Logs.WaitForAsync(e => LogCapture.IsRunEnded(e) && LogCapture.Scalar(e, "RunId") == late);
        Assert.Equal("cancelled", LogCapture.Scalar(ended, "Status"));
        Assert.Equal("client-disconnected", LogCapture.Scalar(ended, "Reason"));
        Assert.Equal(((long)Grace.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), LogCapture.Scalar(ended, "ElapsedMs"));
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
