using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace StreamingApi.Tests.Browser;

/// <summary>
/// What a page's Content-Security-Policy refused: every <c>securitypolicyviolation</c> event (recorded from before the
/// page's first script runs) and every console error that names the policy.
/// </summary>
public sealed class PolicyViolations
{
    private const string Recorder = """
        window.__policyViolations = [];
        document.addEventListener('securitypolicyviolation', (event) => window.__policyViolations.push(
          `${event.effectiveDirective} refused ${event.blockedURI || '(inline)'} at ${event.sourceFile || event.documentURI}:${event.lineNumber} ${event.sample}`), true);
        """;

    private readonly ConcurrentQueue<string> _consoleErrors = new();

    private PolicyViolations()
    {
    }

    /// <summary>Records violations in every page of <paramref name="context"/> opened from now on.</summary>
    public static async Task<PolicyViolations> WatchAsync(IBrowserContext context)
    {
        var violations = new PolicyViolations();
        await context.AddInitScriptAsync(Recorder);
        context.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
                violations._consoleErrors.Enqueue(message.Text);
        };
        return violations;
    }

    /// <summary>Everything refused in <paramref name="page"/> so far: the events, then the console's errors.</summary>
    public async Task<IReadOnlyList<string>> InAsync(IPage page)
    {
        var events = await page.EvaluateAsync<string[]>("() => window.__policyViolations ?? ['the recorder did not run']");
        return [.. events, .. _consoleErrors];
    }
}
