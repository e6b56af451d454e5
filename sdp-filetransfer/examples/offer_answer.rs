//! Builds an RFC 5547 push offer for two pictures, answers it (first accepted, second
//! declined), checks the answer and prints both descriptions.
//!
//! `cargo run -p sdp-filetransfer --example offer_answer`

use sdp_filetransfer::{
    Decision, FileHash, FileOffer, FileSelector, FileType, Negotiator, NegotiatorConfig,
    SessionDescription, validate_answer,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut alice =
        Negotiator::new(NegotiatorConfig::default().with_address("alicepc.example.com"));
    let picture = FileSelector::new()
        .with_name("My cool picture.jpg")
        .with_type(FileType::new("image", "jpeg")?)
        .with_size(4092)
        .with_hash(FileHash::sha1([0x72; 20]));
    let sunset = FileSelector::new()
        .with_name("sunset.jpg")
        .with_type(FileType::new("image", "jpeg")?)
        .with_size(4096);
    let offer = alice.push_offer(&[FileOffer::new(picture), FileOffer::new(sunset)])?;
    let body = offer.to_string(); // CRLF lines for the INVITE
    println!("--- offer\n{body}");

    let received = SessionDescription::parse(body.as_bytes())?;
    let mut bob = Negotiator::new(NegotiatorConfig::default().with_address("bobpc.example.com"));
    let answer = bob.answer(&received, &[Decision::Accept, Decision::Reject])?;
    validate_answer(&received, &answer)?;
    println!("--- answer\n{answer}");
    Ok(())
}
