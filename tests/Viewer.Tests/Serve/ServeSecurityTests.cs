// serve's security: the loopback default, VNC passwords, VeNCrypt TLS with a self-signed certificate.
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Commands;
using VgpuView.Viewer.Tests.Cli;
using Xunit;

namespace VgpuView.Viewer.Tests.Serve;

[Collection(ServeCollection.Name)]
public sealed class ServeSecurityTests(ReplayFixture replay) : IClassFixture<ReplayFixture>
{
    [Theory]
    [InlineData("0.0.0.0:0")]
    [InlineData("[::]:0")]
    public void NonLoopbackListen_WithoutPassword_IsRefused(string listen)
    {
        var cli = new CliRunner();
        Assert.Equal(ExitCodes.Usage, cli.Run("serve", "sim", "--listen", listen));
        Assert.Contains("reachable from other machines and no password is set", cli.Error.ToString());
        Assert.Equal(string.Empty, cli.Output.ToString());
    }

    [Theory]
    [InlineData("--web", "0.0.0.0:0")]
    [InlineData("--listen", "example.org:5900")]
    [InlineData("--listen", "127.0.0.1:99999")]
    [InlineData("--listen", "unix:")]
    [InlineData("--encodings", "raw,jpeg")]
    [InlineData("--password-file", "/nonexistent/password")]
    [InlineData("--tls-cert", "/nonexistent/cert.pem")]
    public void BadOption_IsAUsageError(string option, string value)
    {
        var cli = new CliRunner();
        Assert.Equal(ExitCodes.Usage, cli.Run("serve", "sim", option, value));
        Assert.Contains(option, cli.Error.ToString());
    }

    [Fact]
    public void PortInUse_OrUnixPathTaken_IsAFailureNamingIt()
    {
        using var first = ServeHost.Cli("sim:replay=" + replay.Json, "--listen", "127.0.0.1:0");
        string endpoint = first.WaitListening();
        var cli = new CliRunner();
        Assert.Equal(ExitCodes.DeviceFailure, cli.Run("serve", "sim:replay=" + replay.Json, "--listen", endpoint));
        Assert.Contains($"--listen {endpoint}: cannot listen: the port is in use", cli.Error.ToString());

        string taken = Path.Combine(replay.Directory, $"taken-{Guid.NewGuid():N}");
        File.WriteAllText(taken, "a file a user keeps");
        cli = new CliRunner();
        Assert.Equal(ExitCodes.DeviceFailure, cli.Run("serve", "sim:replay=" + replay.Json, "--listen", "unix:" + taken));
        Assert.Contains("the path exists", cli.Error.ToString());
        Assert.Equal("a file a user keeps", File.ReadAllText(taken));
    }

    [Theory]
    [InlineData("3.3")]
    [InlineData("3.7")]
    [InlineData("3.8")]
    public async Task Password_Right_IsServed_Wrong_IsRefused(string version)
    {
        string file = Path.Combine(replay.Directory, $"password-{Guid.NewGuid():N}");
        File.WriteAllText(file, "s3cret!\n");
        using var host = ServeHost.Cli("sim:replay=" + replay.Json, "--listen", "127.0.0.1:0", "--password-file", file);
        string endpoint = host.WaitListening();
        using (RfbTestClient good = await RfbTestClient.ConnectAsync(endpoint))
        {
            Assert.Null(await good.HandshakeAsync(version, password: "s3cret!"));
            Assert.Equal(2, good.SecurityType);
            await good.RequestAsync(incremental: false);
            Assert.NotNull(await good.ReadUpdateAsync());
            ServeEncodingTests.AssertShows(good, replay.Expected, good.Format);
        }

        using (RfbTestClient bad = await RfbTestClient.ConnectAsync(endpoint))
        {
            string? refusal = await bad.HandshakeAsync(version, password: "s3cret?");
            Assert.Equal(version == "3.8" ? "authentication failed" : "failed", refusal);
        }

        Assert.True(host.WaitError("refused: authentication failed", TimeSpan.FromSeconds(5)), host.Error);
    }

    [Fact]
    public async Task NoAuthClient_OfAPasswordServer_IsRefused()
    {
        string file = Path.Combine(replay.Directory, $"password-{Guid.NewGuid():N}");
        File.WriteAllText(file, "pw\n");
        using var host = ServeHost.Cli("sim:replay=" + replay.Json, "--listen", "127.0.0.1:0", "--password-file", file);
        using RfbTestClient client = await RfbTestClient.ConnectAsync(host.WaitListening());
        await client.ReadAsync(12);
        await client.WriteAsync("RFB 003.008\n"u8.ToArray());
        Assert.Equal([1, 2], await client.ReadAsync(2));
        await client.WriteAsync([1]);
        Assert.Equal([0, 0, 0, 1], await client.ReadAsync(4));
        Assert.True(await client.ClosedWithinAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task VeNCrypt_WithASelfSignedCertificate_ServesTheFrameOverTls(bool withPassword)
    {
        (string cert, string key, byte[] der) = SelfSigned(replay.Directory);
        var args = new List<string> { "sim:replay=" + replay.Json, "--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key };
        if (withPassword)
        {
            string file = Path.Combine(replay.Directory, $"password-{Guid.NewGuid():N}");
            File.WriteAllText(file, "tls-pass\n");
            args.AddRange(["--password-file", file]);
        }

        using var host = ServeHost.Cli([.. args]);
        string endpoint = host.WaitListening();
        using (RfbTestClient client = await RfbTestClient.ConnectAsync(endpoint))
        {
            Assert.Null(await client.HandshakeAsync("3.8", password: withPassword ? "tls-pass" : null, tls: true));
            Assert.Equal(19, client.SecurityType);
            Assert.Equal(der, client.ServerCertificate);
            await client.SetEncodingsAsync(7);
            await client.RequestAsync(incremental: false);
            Assert.NotNull(await client.ReadUpdateAsync());
            ServeEncodingTests.AssertShows(client, replay.Expected, client.Format);
        }

        if (withPassword)
        {
            using RfbTestClient wrong = await RfbTestClient.ConnectAsync(endpoint);
            Assert.Equal("authentication failed", await wrong.HandshakeAsync("3.8", password: "nope", tls: true));
        }

        // RFB 3.3 has no way to negotiate VeNCrypt: refused with a reason.
        using RfbTestClient old = await RfbTestClient.ConnectAsync(endpoint);
        Assert.Contains("VeNCrypt", await old.HandshakeAsync("3.3"));
    }

    /// <summary>A self-signed certificate for localhost as PEM files; returns their paths and its DER.</summary>
    internal static (string Cert, string Key, byte[] Der) SelfSigned(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        string name = Guid.NewGuid().ToString("N");
        string certPath = Path.Combine(directory, $"{name}.crt.pem");
        string keyPath = Path.Combine(directory, $"{name}.key.pem");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certPath, keyPath, certificate.RawData);
    }
}
