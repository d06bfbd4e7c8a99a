using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Auth;

/// <summary>
/// Data Protection comes with authentication, but nothing here protects data: no hosted service reads its key ring at
/// start-up (a cold start's cost), and it still works, reading the ring when first asked.
/// </summary>
public sealed class KeyRingAtStartTests
{
    [Fact]
    public async Task NoKeyRingIsReadAtStartAndDataProtectionStillWorks()
    {
        await using var app = new StreamingApiApplication(kestrel: false);
        using var response = await app.CreateClient().GetAsync("/health/live");
        response.EnsureSuccessStatusCode();

        var hostedServices = app.Services.GetServices<IHostedService>().Select(s => s.GetType().Name).ToList();
        Assert.DoesNotContain("DataProtectionHostedService", hostedServices);
        Assert.Contains("GenericWebHostService", hostedServices); // the list is the host's, not an empty one

        var protector = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
        Assert.Equal("hello", protector.Unprotect(protector.Protect("hello")));
    }
}
