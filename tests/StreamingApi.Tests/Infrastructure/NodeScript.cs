using System.Diagnostics;
using System.Text;

namespace StreamingApi.Tests.Infrastructure;

/// <summary>
/// A script of <c>tests/frontends</c> (the frontends' own client packages, installed there by <c>scripts/test.sh</c>)
/// run by Node against the app: <c>node --test-reporter=tap &lt;script&gt; &lt;baseUrl&gt;</c>, with its exit code and output.
/// </summary>
public sealed record NodeScript(int ExitCode, string Output)
{
    public static readonly string Executable = Environment.GetEnvironmentVariable("NODE_BINARY") ?? "node";

    public static string Folder => Path.Combine(StreamingApiApplication.RepositoryRoot(), "tests", "frontends");

    public static async Task<NodeScript> RunAsync(string script, Uri baseAddress, TimeSpan? within = null)
    {
        if (!Directory.Exists(Path.Combine(Folder, "node_modules")))
            throw new InvalidOperationException(
                "tests/frontends/node_modules is missing: run the tests with scripts/test.sh, which installs it (or run npm ci in tests/frontends).");
        var start = new ProcessStartInfo(Executable)
        {
            ArgumentList = { "--test-reporter=tap", script, baseAddress.ToString().TrimEnd('/') },
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException($"Node ('{Executable}') could not be started: the frontend tests need Node 20 or newer on PATH.", exception);
        }
        using var _ = process;
        var output = new StringBuilder();
        var reading = Task.WhenAll(Pump(process.StandardOutput, output), Pump(process.StandardError, output));
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            await reading;
            throw new Xunit.Sdk.XunitException($"node {script} did not finish within {(within ?? TimeSpan.FromMinutes(2)).TotalSeconds} s:\n{output}");
        }
        await reading;
        return new NodeScript(process.ExitCode, output.ToString());
    }

    /// <summary>Asserts that the script ran exactly <paramref name="tests"/> tests and all passed; shows its output when not.</summary>
    public void AssertPassed(int tests)
    {
        var passed = ExitCode == 0 && Output.Contains($"\n# tests {tests}\n") && Output.Contains($"\n# pass {tests}\n") && Output.Contains("\n# fail 0\n");
        if (!passed) throw new Xunit.Sdk.XunitException($"Expected {tests} passing tests and exit code 0; the script exited with {ExitCode}:\n{Output}");
    }

    private static async Task Pump(StreamReader reader, StringBuilder output)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (output) output.Append(line).Append('\n');
        }
    }
}
