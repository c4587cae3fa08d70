// One headless Chromium shared by a test class: starting it is the slow part of a browser test.
using VgpuView.Tests.Shared;
using Xunit;

namespace VgpuView.Viewer.Tests.Serve.RealClients;

/// <summary>One Chromium for the class: starting it is the slow part.</summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    private HeadlessChromium? _browser;

    internal HeadlessChromium Browser => _browser ?? throw new InvalidOperationException("Chromium did not start");

    public async ValueTask InitializeAsync()
    {
        if (Requires.FindOnPath("chromium") is not null)
        {
            _browser = await HeadlessChromium.StartAsync();
        }
    }

    public ValueTask DisposeAsync()
    {
        _browser?.Dispose();
        return ValueTask.CompletedTask;
    }
}
