using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Limits;

/// <summary>
/// With authentication on, limits count against the principal, not the address: here a stand-in for authentication
/// makes the request's user the name in an <c>X-Test-User</c> header.
/// </summary>
public sealed class PrincipalLimitTests
{
    [Fact]
    public async Task TwoPrincipalsFromOneAddressHaveTheirOwnRunsInProgressCountedUntilTheRunsEnd()
    {
        await using var app = new StreamingApiApplication().WithSlowRuns()
            .With("RateLimits:ConcurrentRuns", "1")
            .WithServices(services => services.AddSingleton<IStartupFilter, HeaderUser>());
        var client = app.CreateClient();

        var alices = await Send(client, "alice", HttpMethod.Post, "/runs");
        Assert.Equal(HttpStatusCode.Accepted, alices.StatusCode);
        using var aliceAgain = await Send(client, "alice", HttpMethod.Post, "/runs");
        await aliceAgain.AssertRefusedAsync("too-many-concurrent-runs"); // her run is still in progress
        var bobs = await Send(client, "bob", HttpMethod.Post, "/runs");
        Assert.Equal(HttpStatusCode.Accepted, bobs.StatusCode);

        var usage = await (await Send(client, "alice", HttpMethod.Get, "/usage")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("principal:alice", 1), (usage.GetProperty("caller").GetString(), usage.GetProperty("runsInProgress").GetInt32()));
        foreach (var started in new[] { alices, bobs })
            await app.Runs.CancelAsync((await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetString()!, CancellationToken.None);
        await app.WaitForNoActiveRunsAsync();
        usage = await (await Send(client, "alice", HttpMethod.Get, "/usage")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, usage.GetProperty("runsInProgress").GetInt32());
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, string user, HttpMethod method, string url)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("X-Test-User", user);
        if (method == HttpMethod.Post) request.Content = JsonContent.Create(new { agent = "writer", prompt = "hi" });
        return client.SendAsync(request);
    }

    private sealed class HeaderUser : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, nextMiddleware) =>
            {
                if (http.Request.Headers["X-Test-User"] is [{ } name])
                    http.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], "test"));
                return nextMiddleware(http);
            });
            next(app);
        };
    }
}
