using System.Net;
using System.Text.RegularExpressions;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Auth;

/// <summary><c>Management:Urls</c>: metrics and health on a listener of their own, not on the public one.</summary>
public sealed partial class ManagementListenerTests
{
    [Fact]
    public async Task MetricsAndHealthAnswerOnTheManagementListenerOnlyAndTheApiOnlyOnThePublicOne()
    {
        var port = FreePort.Next();
        await using var program = ProgramProcess.Start(new Dictionary<string, string>
        {
            ["Management__Urls"] = $"http://127.0.0.1:{port}",
            ["Auth__ApiKeys__0__Name"] = "ci",
            ["Auth__ApiKeys__0__Sha256"] = TestApiKeys.Sha256(TestApiKeys.Alice),
        });
        await program.WaitForAddressAsync();
        await FreePort.WaitUntilListeningAsync(port);
        var main = Listening().Matches(program.Output).Select(m => new Uri(m.Groups[1].Value)).Single(u => u.Port != port);
        using var client = new HttpClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"http://127.0.0.1:{port}/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"http://127.0.0.1:{port}/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"http://127.0.0.1:{port}/auth")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri(main, "/health"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri(main, "/metrics"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri(main, "/auth"))).StatusCode);
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex Listening();
}
