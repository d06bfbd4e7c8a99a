using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Serilog.Events;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Limits;

/// <summary>What the limits' tests ask of a response, and how they start runs.</summary>
internal static class LimitResponses
{
    /// <summary>A run that waits an hour for its first token: it is in progress until something stops it.</summary>
    public static StreamingApiApplication WithSlowRuns(this StreamingApiApplication app) => app.With("OfflineModel:FirstTokenDelayMs", "3600000");

    public static Task<HttpResponseMessage> StartRunAsync(this HttpClient client) =>
        client.PostAsJsonAsync("/runs", new { agent = "writer", prompt = "Explain harbours" });

    public static async Task<string> StartedRunIdAsync(this HttpClient client)
    {
        using var response = await client.StartRunAsync();
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetString()!;
    }

    /// <summary>Asserts a 429 problem details of the limit <paramref name="type"/> with a Retry-After; returns its body.</summary>
    public static async Task<JsonElement> AssertRefusedAsync(this HttpResponseMessage response, string type)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.TooManyRequests, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((type, 429), (problem.GetProperty("type").GetString(), problem.GetProperty("status").GetInt32()));
        Assert.True(response.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, $"Retry-After: {response.Headers.RetryAfter}");
        return problem;
    }

    public static void AssertNoErrorLogged(this StreamingApiApplication app) =>
        Assert.DoesNotContain(app.Logs.Events, e => e.Level >= LogEventLevel.Error);
}
