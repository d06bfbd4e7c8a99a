using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Serilog.Events;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Auth;

/// <summary>No key, token or ticket in any log line, with every logger at its most talkative.</summary>
public sealed class SecretsInLogsTests
{
    private const string Audience = "streamingapi";

    [Fact]
    public async Task TheAuthScenariosLeaveNoSecretInAnyLogLineOrProblem()
    {
        await using var provider = await OpenIdProvider.StartAsync();
        await using var app = new StreamingApiApplication().WithAliceAndBob()
            .With("Auth:Jwt:Authority", provider.Issuer).With("Auth:Jwt:Audience", Audience).With("Auth:Jwt:RequireHttpsMetadata", "false")
            .With("Runs:DetachGraceSeconds", "30")
            .With("Serilog:MinimumLevel:Default", "Verbose")
            .With("Serilog:MinimumLevel:Override:Microsoft.AspNetCore", "Verbose")
            .With("Serilog:MinimumLevel:Override:Microsoft.IdentityModel", "Verbose");
        const string wrongKey = "wrong-key-5555555555";
        var token = provider.Token("user-42", Audience);
        using var otherKey = System.Security.Cryptography.RSA.Create(2048);
        var badToken = provider.Token("user-42", Audience, signingKey: otherKey);
        var problems = new List<string>();

        var alice = app.CreateClientWithKey(TestApiKeys.Alice);
        await alice.GetFramesAsync("/stream/text?prompt=hi");
        using (var byHeader = new HttpRequestMessage(HttpMethod.Get, "/stream/text?prompt=hi") { Headers = { { "X-Api-Key", TestApiKeys.Bob } } })
            Assert.Equal(HttpStatusCode.OK, (await app.CreateSocketClient().SendAsync(byHeader)).StatusCode);
        await app.CreateClientWithKey(token).GetFramesAsync("/stream/text?prompt=hi");
        foreach (var refused in new[] { app.CreateClientWithKey(wrongKey), app.CreateClientWithKey(badToken) })
        {
            using var response = await refused.GetAsync("/runs/0123456789abcdef");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            problems.Add(await response.Content.ReadAsStringAsync());
        }
        using (var issued = await alice.PostAsync("/auth/tickets", null))
        {
            var ticket = (await issued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ticket").GetString()!;
            var url = $"/stream/text?prompt=hi&ticket={Uri.EscapeDataString(ticket)}";
            var browser = app.CreateSocketClient();
            var frames = await browser.ReadThenDropAsync(url, 3);
            await browser.ResumeFramesAsync(url, frames[^1].Id!);
            using var reused = await browser.GetAsync(url);
            problems.Add(await reused.Content.ReadAsStringAsync());
            await AssertNoSecretAsync(app, problems, [TestApiKeys.Alice, TestApiKeys.Bob, wrongKey, token, badToken, ticket]);
        }
    }

    private static async Task AssertNoSecretAsync(StreamingApiApplication app, List<string> problems, string[] secrets)
    {
        await app.Logs.WaitForAsync(e => LogCapture.IsRequestLine(e) && LogCapture.Scalar(e, "StatusCode") == "403");
        var lines = app.Logs.Events.Select(Everything).ToList();
        // The capture saw what it is searched for: hosting's own request lines, URLs whole, with the ticket's value taken out.
        Assert.Contains(lines, line => line.Contains("ticket=[redacted]", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("Bearer", StringComparison.Ordinal));
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(lines, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(problems, body => body.Contains(secret, StringComparison.Ordinal));
            // Parts of a JWT (its header or signature) would give it away as well.
            foreach (var part in secret.Split('.').Where(p => p.Length > 16))
                Assert.DoesNotContain(lines, line => line.Contains(part, StringComparison.Ordinal));
        }
    }

    private static string Everything(LogEvent e) =>
        string.Join('\n', [e.RenderMessage(), .. e.Properties.Select(p => $"{p.Key}={p.Value}"), e.Exception?.ToString() ?? ""]);
}
