using System.Net.Http.Json;
using System.Text.Json;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Limits;

/// <summary>Token quotas: counted at each run's end, refused once spent, shown on /usage.</summary>
public sealed class QuotaTests
{
    [Fact]
    public async Task UsageShowsTheCallersTokensTodayAndItsLimits()
    {
        await using var app = new StreamingApiApplication().With("Quotas:TokensPerDay", "1000000").With("RateLimits:RunsPerMinute", "7");
        var client = app.CreateClient();
        var before = await client.GetFromJsonAsync<JsonElement>("/usage");
        Assert.Equal((0L, 1_000_000L, 7), (before.GetProperty("tokensToday").GetInt64(), before.GetProperty("tokensPerDay").GetInt64(),
            before.GetProperty("runsPerMinute").GetInt32()));
        Assert.Equal("address:127.0.0.1", before.GetProperty("caller").GetString());

        var frames = await client.GetFramesAsync("/stream/text?prompt=hi");
        var total = frames[^1]["usage"].GetProperty("totalTokens").GetInt64();
        await Eventually.TrueAsync(async () => (await client.GetFromJsonAsync<JsonElement>("/usage")).GetProperty("tokensToday").GetInt64() == total,
            "the run's tokens are counted");
        var after = await client.GetFromJsonAsync<JsonElement>("/usage");
        Assert.Equal(1_000_000 - total, after.GetProperty("tokensLeft").GetInt64());
        Assert.True(total > 0);
    }

    [Fact]
    public async Task ARunAfterTheQuotaIsSpentIsRefusedUntilItResets()
    {
        await using var app = new StreamingApiApplication().With("Quotas:TokensPerDay", "1");
        var client = app.CreateClient();
        var frames = await client.GetFramesAsync("/stream/text?prompt=hi"); // the run that crosses the line finishes
        Assert.Equal("completed", frames[^1]["status"].GetString());
        await Eventually.TrueAsync(async () => (await client.GetFromJsonAsync<JsonElement>("/usage")).GetProperty("tokensLeft").GetInt64() == 0,
            "the quota is spent");

        using var refused = await client.StartRunAsync();
        var problem = await refused.AssertRefusedAsync("quota-exceeded");
        var resetsAt = problem.GetProperty("resetsAt").GetDateTimeOffset();
        Assert.Equal(DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(1), resetsAt.UtcDateTime);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        app.AssertNoErrorLogged();
    }
}
