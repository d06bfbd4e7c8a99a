using System.Text.RegularExpressions;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Auth;

/// <summary><c>new-api-key NAME</c> run as a user runs it, and keys the service accepts once configured as it says.</summary>
public sealed partial class NewApiKeyCommandTests
{
    [Fact]
    public async Task ItPrintsANewKeyAndTheEntryThatTheServiceThenAccepts()
    {
        await using var program = ProgramProcess.Start(new Dictionary<string, string>(), "new-api-key", "ci");
        Assert.Equal(0, await program.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        var key = Key().Match(program.Output).Groups[1].Value;
        var entry = Entry().Match(program.Output);
        Assert.Equal(("ci", TestApiKeys.Sha256(key)), (entry.Groups[1].Value, entry.Groups[2].Value));
        Assert.Contains($"Auth__ApiKeys__0__Sha256={entry.Groups[2].Value}", program.Output);
        await using var again = ProgramProcess.Start(new Dictionary<string, string>(), "new-api-key", "ci");
        await again.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.NotEqual(key, Key().Match(again.Output).Groups[1].Value);

        await using var app = new StreamingApiApplication().With("Auth:ApiKeys:0:Name", "ci").With("Auth:ApiKeys:0:Sha256", entry.Groups[2].Value);
        var frames = await app.CreateClientWithKey(key).GetFramesAsync("/stream/text?prompt=hi");
        Assert.Equal("apikey:ci", (await app.CreateClientWithKey(key).GetRunAsync(frames[0].RunId)).GetProperty("principal").GetString());
    }

    [Fact]
    public async Task AKeyEntryThatIsNotAHashStopsStartUpWithOneLineNamingTheSetting()
    {
        await using var program = ProgramProcess.Start(new Dictionary<string, string>
        {
            ["Auth__ApiKeys__0__Name"] = "ci",
            ["Auth__ApiKeys__0__Sha256"] = "the-key-itself",
        });

        Assert.Equal(1, await program.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var line = Assert.Single(program.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("StreamingApi cannot start: Auth:ApiKeys", line);
    }

    [GeneratedRegex(@"^\s+(sak_[A-Za-z0-9_-]{43})\s*$", RegexOptions.Multiline)]
    private static partial Regex Key();

    [GeneratedRegex(@"\{ ""Name"": ""([^""]+)"", ""Sha256"": ""([0-9a-f]{64})"" \}")]
    private static partial Regex Entry();
}
