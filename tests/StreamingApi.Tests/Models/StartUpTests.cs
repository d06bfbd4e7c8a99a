using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Models;

/// <summary>Start-up as a user sees it: the real program, its exit code and what it prints.</summary>
public sealed class StartUpTests
{
    public static TheoryData<string, string, string> MissingSettings => new()
    {
        { "gemini", "", "GEMINI_API_KEY" },
        { "openai", "", "OPENAI_API_KEY" },
        { "claude", "", "Agent:Provider must be 'offline', 'gemini' or 'openai'" },
    };

    [Theory]
    [MemberData(nameof(MissingSettings))]
    public async Task AProviderWithoutItsSettingsStopsStartUpWithOneLineNamingIt(string provider, string key, string named)
    {
        var (exitCode, output, error) = await RunProgramAsync(new()
        {
            ["Agent__Provider"] = provider,
            ["GEMINI_API_KEY"] = key,
            ["Gemini__ApiKey"] = key,
            ["OPENAI_API_KEY"] = key,
            ["OpenAI__ApiKey"] = key,
        });

        Assert.Equal(1, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("StreamingApi cannot start: ", line);
        Assert.Contains(named, line);
        Assert.DoesNotContain("   at ", output + error);
    }

    [Fact]
    public async Task AToolBudgetThatCannotWorkStopsStartUpNamingTheSetting()
    {
        var (exitCode, _, error) = await RunProgramAsync(new() { ["Agent__MaxModelTurns"] = "1" });

        Assert.Equal(1, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("StreamingApi cannot start: Agent:MaxModelTurns must be at least 2", line);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunProgramAsync(Dictionary<string, string> environment)
    {
        await using var program = ProgramProcess.Start(environment);
        var exitCode = await program.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, program.Output, program.Error);
    }
}
