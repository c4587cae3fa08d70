// A throwaway certificate authority and a server certificate it signed, for 127.0.0.1, written
// as PEM files: the server's --tls-cert/--tls-key, and the CA where each client looks for it.
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace VgpuView.Viewer.Tests.Serve.RealClients;

internal sealed record TestCertificates(string CaCertPem, string ServerCertPem, string ServerKeyPem)
{
    /// <summary>Creates the CA and the server certificate, valid from an hour ago for a day, and writes their PEMs into <paramref name="dir"/>.</summary>
    public static TestCertificates Create(string dir)
    {
        DateTimeOffset from = DateTimeOffset.UtcNow.AddHours(-1);
        DateTimeOffset to = from.AddDays(1);

        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=vgpuview test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using X509Certificate2 ca = caRequest.CreateSelfSigned(from, to);

        using var serverKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // serverAuth
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number
        using X509Certificate2 server = request.Create(ca, from, to, serial);

        var result = new TestCertificates(Path.Combine(dir, "ca-cert.pem"), Path.Combine(dir, "server-cert.pem"), Path.Combine(dir, "server-key.pem"));
        File.WriteAllText(result.CaCertPem, ca.ExportCertificatePem() + "\n");
        File.WriteAllText(result.ServerCertPem, server.ExportCertificatePem() + "\n");
        File.WriteAllText(result.ServerKeyPem, serverKey.ExportPkcs8PrivateKeyPem() + "\n");
        return result;
    }
}
