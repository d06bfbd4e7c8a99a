using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Serilog.Events;
using Microsoft.Extensions.DependencyInjection;
using StreamingApi.Runs;
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

    /// <summary>The app's runs wait at <paramref name="gate"/> before they start.</summary>
    public static StreamingApiApplication WithRunStartGate(this StreamingApiApplication app, RunStartGate gate) => app.WithServices(services =>
    {
        var store = services.Last(d => d.ServiceType == typeof(IRunStore));
        services.Remove(store);
        services.AddSingleton<IRunStore>(provider => new GatedRunStore((IRunStore)store.ImplementationFactory!(provider), gate));
    });

    /// <summary>
    /// Starts <paramref name="count"/> runs (<c>POST /runs</c>, the clients in turn, each on its own connection) that are
    /// all admitted before any starts: the runs wait at the apps' <paramref name="gate"/> until every request has been
    /// refused or has reached it. Returns the started runs' ids, and the refusals' types (each asserted to be
    /// <paramref name="refusedAs"/>).
    /// </summary>
    public static async Task<(List<string> Started, List<string> Refused)> StartRunsAtOnceAsync(this IReadOnlyList<HttpClient> clients, RunStartGate gate,
        int count, string refusedAs = "too-many-concurrent-runs")
    {
        var requests = Enumerable.Range(0, count).Select(i => clients[i % clients.Count].StartRunAsync()).ToList();
        await Eventually.TrueAsync(() => requests.Count(r => r.IsCompleted) + gate.Waiting == count, "every request is refused or about to start its run");
        gate.Open();
        var (started, refused) = (new List<string>(), new List<string>());
        foreach (var response in await Task.WhenAll(requests))
        {
            using (response)
            {
                if (response.StatusCode == HttpStatusCode.Accepted)
                    started.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetString()!);
                else
                    refused.Add((await response.AssertRefusedAsync(refusedAs)).GetProperty("type").GetString()!);
            }
        }
        return (started, refused);
    }

    /// <summary>The caller's runs in progress (and slots reserved for runs about to start), as <c>GET /usage</c> says.</summary>
    public static async Task<int> RunsInProgressAsync(this HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/usage")).GetProperty("runsInProgress").GetInt32();

    public static void AssertNoErrorLogged(this StreamingApiApplication app) =>
        Assert.DoesNotContain(app.Logs.Events, e => e.Level >= LogEventLevel.Error);
}
