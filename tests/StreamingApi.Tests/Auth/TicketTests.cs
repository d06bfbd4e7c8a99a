using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StreamingApi.Runs;
using StreamingApi.Security;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Auth;

/// <summary>
/// Tickets for EventSource URLs: issued to a principal, one run each, that run's reconnects, expiry while unused. A
/// used ticket that is asked to start another run is a 403 (its principal is known; the ticket may not do that).
/// </summary>
public sealed class TicketTests
{
    private const string Essay = "/stream/text?prompt=Write%20a%20long%20essay%20about%20harbours";

    private static async Task<string> TicketAsync(HttpClient client)
    {
        using var response = await client.PostAsync("/auth/tickets", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        return body.GetProperty("ticket").GetString()!;
    }

    private static async Task<string> StartLongRunAsync(HttpClient client)
    {
        using var accepted = await client.PostAsJsonAsync("/runs", new { agent = "writer", prompt = "Write a long essay about canals" });
        return (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetString()!;
    }

    [Fact]
    public async Task ATicketStartsOneRunWhoseReconnectsItResumesAndNothingElse()
    {
        // The whole run stays in the replay window: on a slow machine the run may be far ahead when the reconnect comes,
        // and this test is about the ticket, not about resuming from a snapshot.
        await using var app = new StreamingApiApplication().WithAliceAndBob().With("OfflineModel:TokensPerSecond", "200")
            .With("Runs:DetachGraceSeconds", "30").With("Runs:ReplayWindow", "4096");
        var (alice, bob, browser) = (app.CreateClientWithKey(TestApiKeys.Alice), app.CreateClientWithKey(TestApiKeys.Bob), app.CreateSocketClient());
        var ticket = await TicketAsync(alice);
        var url = $"{Essay}&ticket={Uri.EscapeDataString(ticket)}";

        var frames = await browser.ReadThenDropAsync(url, 5);
        frames.AddRange(await browser.ResumeFramesAsync(url, frames[^1].Id!));

        Assert.Equal(Enumerable.Range(1, frames.Count).Select(i => (long)i), frames.Select(f => f.Sequence));
        Assert.Equal(("done", "completed"), (frames[^1].Type, frames[^1]["status"].GetString()));
        Assert.Equal("apikey:alice", (await alice.GetRunAsync(frames[0].RunId)).GetProperty("principal").GetString());

        using var second = await browser.GetAsync(url);
        Assert.Equal(HttpStatusCode.Forbidden, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, app.Store.Count);

        var alicesOther = await StartLongRunAsync(alice);
        var bobs = await StartLongRunAsync(bob);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/runs/{alicesOther}/events?ticket={Uri.EscapeDataString(ticket)}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/runs/{bobs}/events?ticket={Uri.EscapeDataString(ticket)}")).StatusCode);
    }

    [Fact]
    public async Task AnUnusedTicketReadsItsPrincipalsRunsButNotAnotherPrincipals()
    {
        await using var app = new StreamingApiApplication().WithAliceAndBob().With("OfflineModel:TokensPerSecond", "20");
        var (alice, bob, browser) = (app.CreateClientWithKey(TestApiKeys.Alice), app.CreateClientWithKey(TestApiKeys.Bob), app.CreateSocketClient());
        var ticket = Uri.EscapeDataString(await TicketAsync(alice));
        var (alices, bobs) = (await StartLongRunAsync(alice), await StartLongRunAsync(bob));

        Assert.Equal(alices, (await browser.ReadThenDropAsync($"/runs/{alices}/events?ticket={ticket}", 2))[0].RunId);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/runs/{bobs}/events?ticket={ticket}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync($"/runs/{alices}/events?ticket=made-up")).StatusCode);
    }

    [Fact]
    public async Task AnUnusedTicketExpiresAfterTicketSeconds()
    {
        await using var app = new StreamingApiApplication().WithAliceAndBob().With("Auth:TicketSeconds", "0.5").With("OfflineModel:TokensPerSecond", "20");
        var (alice, browser) = (app.CreateClientWithKey(TestApiKeys.Alice), app.CreateSocketClient());
        var runId = await StartLongRunAsync(alice);
        var ticket = Uri.EscapeDataString(await TicketAsync(alice));

        // Reading does not use a ticket up, so it can be asked until the ticket has expired.
        await Eventually.TrueAsync(async () =>
        {
            using var response = await browser.GetAsync($"/runs/{runId}/events?ticket={ticket}", HttpCompletionOption.ResponseHeadersRead);
            return response.StatusCode == HttpStatusCode.Unauthorized;
        }, "the ticket has expired");
        using var start = await browser.GetAsync($"{Essay}&ticket={ticket}");

        Assert.Equal(HttpStatusCode.Unauthorized, start.StatusCode);
        Assert.Equal(1, app.Store.Count);
    }

    [Fact]
    public async Task InMemoryATicketLivesTicketSecondsUnusedAndTheRunsLifetimeOnceItStartedOne()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        var runs = new RunOptions { MaxRunSeconds = 900, RetentionSeconds = 300 };
        var tickets = new MemoryRunTickets(Options.Create(new AuthOptions { TicketSeconds = 60 }), Options.Create(runs), time);
        var (unused, used) = ((await tickets.IssueAsync("alice", default)).Ticket, (await tickets.IssueAsync("alice", default)).Ticket);

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.True(await tickets.ClaimAsync(used, default));
        Assert.False(await tickets.ClaimAsync(used, default));
        await tickets.RecordRunAsync(used, "run-1", default);
        Assert.Equal(new TicketGrant("alice", true, null), (await tickets.FindAsync(unused, default))! with { Claimed = true });
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.Null(await tickets.FindAsync(unused, default));
        Assert.False(await tickets.ClaimAsync(unused, default));
        Assert.Equal(new TicketGrant("alice", true, "run-1"), await tickets.FindAsync(used, default));
        time.Advance(TimeSpan.FromSeconds(1200));
        Assert.Null(await tickets.FindAsync(used, default));
    }

    [Fact]
    public async Task OnRedisATicketFromOneInstanceStartsARunOnTheOtherAndResumesItOnTheFirst()
    {
        await using var redis = await RedisServer.StartAsync();
        StreamingApiApplication Instance() => redis.Instance(new StreamingApiApplication().WithAliceAndBob())
            .With("OfflineModel:TokensPerSecond", "200").With("Runs:DetachGraceSeconds", "30");
        await using var a = Instance();
        await using var b = Instance();
        var ticket = await TicketAsync(a.CreateClientWithKey(TestApiKeys.Alice));
        var url = $"{Essay}&ticket={Uri.EscapeDataString(ticket)}";

        var frames = await b.CreateSocketClient().ReadThenDropAsync(url, 5);
        frames.AddRange(await a.CreateSocketClient().ResumeFramesAsync(url, frames[^1].Id!));
        using var second = await a.CreateSocketClient().GetAsync(url);

        Assert.Equal(Enumerable.Range(1, frames.Count).Select(i => (long)i), frames.Select(f => f.Sequence));
        Assert.Equal("done", frames[^1].Type);
        Assert.Equal(HttpStatusCode.Forbidden, second.StatusCode);
    }
}
