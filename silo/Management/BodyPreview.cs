using System.Text;

namespace Loire.Silo.Management;

/// <summary>
/// The first bytes of a message body, safe to put in JSON whatever the body holds: text when those bytes are valid
/// UTF-8 without control characters (tab and line breaks aside), base64 otherwise. <see cref="Size"/> is the whole
/// body's length, so a truncated preview says how much it left out.
/// </summary>
public sealed record BodyPreview(int Size, BodyEncoding Encoding, string Data, bool Truncated)
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static BodyPreview Of(ReadOnlySpan<byte> body, int maxBytes)
    {
        var length = Math.Min(body.Length, maxBytes);

        // A cut inside a multi-byte character would make valid text look invalid: end the preview before it.
        var cut = length;
        for (var i = 0; i < 3 && cut > 0 && cut < body.Length && (body[cut] & 0xC0) == 0x80; i++)
        {
            cut--;
        }

        return TryText(body[..cut], out var text)
            ? new BodyPreview(body.Length, BodyEncoding.Text, text, Truncated: cut < body.Length)
            : new BodyPreview(body.Length, BodyEncoding.Base64, Convert.ToBase64String(body[..length]), Truncated: length < body.Length);
    }

    private static bool TryText(ReadOnlySpan<byte> bytes, out string text)
    {
        try
        {
            text = s_strictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }

        foreach (var c in text)
        {
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            {
                text = "";
                return false;
            }
        }

        return true;
    }
}
