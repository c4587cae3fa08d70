// VNC authentication (RFB security type 2): a DES challenge and response.
using System.Security.Cryptography;

namespace VgpuView.Viewer.Serve;

/// <summary>
/// rfbproto 7.2.2: the server sends 16 random bytes, the client returns them encrypted with DES
/// (ECB) under a key made of the password's first 8 bytes, zero-padded, each byte's bits
/// reversed (the historical quirk every VNC client follows). DES is what the protocol fixes; it
/// protects the password from replay, not the session from eavesdropping, hence VeNCrypt.
/// </summary>
internal static class VncAuth
{
    public const int ChallengeLength = 16;

    /// <summary>The DES key of a password: its first 8 bytes, bits of each byte reversed.</summary>
    public static byte[] Key(string password)
    {
        byte[] key = new byte[8];
        byte[] bytes = System.Text.Encoding.Latin1.GetBytes(password);
        for (int i = 0; i < Math.Min(8, bytes.Length); i++)
        {
            byte b = bytes[i], r = 0;
            for (int bit = 0; bit < 8; bit++)
            {
                r |= (byte)(((b >> bit) & 1) << (7 - bit));
            }

            key[i] = r;
        }

        return key;
    }

    /// <summary>Checks that a password makes a usable DES key (DES refuses its few weak keys); null when it does.</summary>
    public static string? Check(string password)
    {
        if (password.Length == 0)
        {
            return "the VNC password is empty";
        }

        try
        {
            Encrypt(Key(password), new byte[ChallengeLength]);
            return null;
        }
        catch (CryptographicException)
        {
            return "the VNC password makes a weak DES key; choose another";
        }
    }

    public static byte[] Encrypt(byte[] key, ReadOnlySpan<byte> challenge)
    {
        using var des = DES.Create();
        des.Key = key;
        return des.EncryptEcb(challenge, PaddingMode.None);
    }

    public static bool Verify(byte[] key, ReadOnlySpan<byte> challenge, ReadOnlySpan<byte> response) =>
        CryptographicOperations.FixedTimeEquals(Encrypt(key, challenge), response);
}
